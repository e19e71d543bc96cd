import { request, setCsrfToken } from './client.ts';

export interface User {
  id: string;
  name: string;
  role: 'viewer' | 'operator' | 'admin';
}
export interface Session {
  user: User;
  csrfToken: string;
}

export async function fetchMe(): Promise<Session> {
  const s = await request<Session>('GET', '/api/auth/me');
  setCsrfToken(s.csrfToken);
  return s;
}

export async function signIn(token: string): Promise<Session> {
  const s = await request<Session>('POST', '/api/auth/session', { token });
  setCsrfToken(s.csrfToken);
  return s;
}

export async function signOut(): Promise<void> {
  await request('DELETE', '/api/auth/session');
  setCsrfToken(null);
}

/** How this API lets users sign in (`GET /api/auth/providers`). */
export interface Providers {
  token: boolean;
  oidc: { enabled: boolean; issuer: string | null; login: boolean; name: string | null };
}

export const fetchProviders = () => request<Providers>('GET', '/api/auth/providers');

/** The browser OIDC sign-in starts with a full-page navigation: the API redirects to the provider. */
export const oidcLoginHref = (next: string) => `/api/auth/oidc/login?next=${encodeURIComponent(next)}`;
