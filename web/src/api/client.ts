import { createSignal } from 'solid-js';

/**
 * The one fetch wrapper: same-origin cookies, JSON bodies, the CSRF header on writes, the API's error
 * envelope turned into `ApiError`, and a reachability signal that drives the "cannot reach" banner.
 */
export interface Issue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: Issue[] = [],
    readonly requestId: string | null = null,
  ) {
    super(message);
  }
}

const [reachable, setReachable] = createSignal(true);
/** False while the last request could not reach the API (network error or gateway error). */
export const apiReachable = reachable;

let csrfToken: string | null = null;
export const setCsrfToken = (token: string | null) => {
  csrfToken = token;
};

let onUnauthenticated: (() => void) | null = null;
/** Called on any 401 from a non-auth route (the session expired): the app sends the user to sign-in. */
export const setUnauthenticatedHandler = (fn: () => void) => {
  onUnauthenticated = fn;
};

const gatewayStatuses = [502, 504];

export async function request<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const h: Record<string, string> = { Accept: 'application/json', ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) h['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: h,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    setReachable(false);
    throw new ApiError(0, 'unreachable', 'Cannot reach the MoonMind API');
  }
  const json = await res.json().catch(() => null);
  if (gatewayStatuses.includes(res.status) || (!res.ok && json === null && res.status >= 500)) {
    setReachable(false);
    throw new ApiError(res.status, 'unreachable', 'Cannot reach the MoonMind API');
  }
  setReachable(true);
  if (!res.ok) {
    const e = json?.error ?? {};
    if (res.status === 401 && !path.startsWith('/api/auth/')) onUnauthenticated?.();
    throw new ApiError(
      res.status,
      e.code ?? 'error',
      e.message ?? `${res.status} ${res.statusText}`,
      Array.isArray(e.issues) ? e.issues : [],
      e.requestId ?? res.headers.get('X-Request-Id'),
    );
  }
  return json as T;
}

/** Query string from defined, non-empty values. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
