import { createSignal } from 'solid-js';
import type { Session } from '../api/auth.ts';
import { apiReachable } from '../api/client.ts';

/** The signed-in user: `undefined` while unknown, `null` when signed out. */
export const [session, setSession] = createSignal<Session | null | undefined>(undefined);

export const canOperate = () => {
  const role = session()?.user.role;
  return role === 'operator' || role === 'admin';
};

/**
 * May the user send a change now: their role may, and the API is reachable (while the "cannot reach" banner
 * shows, a click would only fail).
 */
export const canMutate = () => canOperate() && apiReachable();

/** Only same-site paths are followed after sign-in (no open redirect). */
export function safeNext(next: string | null | undefined): string {
  return next?.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/tasks';
}
