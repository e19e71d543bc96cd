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
