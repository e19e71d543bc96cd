import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** What the browser carries between `/api/auth/oidc/login` and the callback. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
  /** Epoch ms after which the callback refuses it. */
  expiresAt: number;
}

export const OIDC_STATE_COOKIE = 'mm_oidc';
export const OIDC_STATE_TTL_MS = 10 * 60_000;

/**
 * The pending sign-in travels in a short-lived, httpOnly, HMAC-signed cookie rather than a table row: it must
 * be bound to the browser that started the flow anyway (a row would still need a cookie to find it), it needs
 * no migration and nothing to clean up, and the signature stops a cookie planted from a sibling host. The key
 * is derived from the client secret so every API replica (and a restarted one) accepts it; a public client
 * has no secret, so it gets a per-process key and a sign-in that straddles a restart is simply started again.
 */
export function pendingSignInCodec(clientSecret: string | undefined) {
  const key = clientSecret
    ? Buffer.from(hkdfSync('sha256', clientSecret, 'moonmind', 'oidc sign-in state', 32))
    : randomBytes(32);
  const mac = (data: string) => createHmac('sha256', key).update(data).digest();
  return {
    seal(pending: PendingSignIn): string {
      const data = Buffer.from(JSON.stringify(pending)).toString('base64url');
      return `${data}.${mac(data).toString('base64url')}`;
    },
    /** The pending sign-in, or null when the cookie is missing, forged or expired. */
    open(cookie: string | undefined): PendingSignIn | null {
      const [data, sig, extra] = (cookie ?? '').split('.');
      if (!data || !sig || extra !== undefined) return null;
      const given = Buffer.from(sig, 'base64url');
      const expected = mac(data);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      const pending = JSON.parse(Buffer.from(data, 'base64url').toString()) as PendingSignIn;
      return pending.expiresAt > Date.now() ? pending : null;
    },
  };
}
