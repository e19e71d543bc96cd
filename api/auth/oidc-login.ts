import { createHash, randomBytes } from 'node:crypto';
import { jwtVerify } from 'jose';
import type { Sql } from '../../db/client.ts';
import type { UserIdentity } from './identity.ts';
import { discoverOidc, identityFromClaims } from './oidc.ts';
import { OIDC_STATE_TTL_MS, type PendingSignIn, pendingSignInCodec } from './oidc-state.ts';

export interface OidcLoginOptions {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  rolesClaim: string;
  scopes: string;
}

/** Why a browser sign-in ended on the sign-in page; the dashboard words each one. */
export type SignInFailure = 'unavailable' | 'state' | 'denied' | 'exchange' | 'token' | 'role' | 'disabled';

/** A refused sign-in: `reason` goes to the sign-in page, the message only to the log (never a token). */
export class OidcSignInError extends Error {
  constructor(
    readonly reason: SignInFailure,
    message: string,
  ) {
    super(message);
  }
}

const random = () => randomBytes(32).toString('base64url');
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/**
 * The browser half of OIDC: authorization-code flow with PKCE (S256), `state` against login CSRF and `nonce`
 * against id_token replay, endpoints from the issuer's discovery document. The resulting identity comes from
 * the verified id_token's claims exactly as a bearer JWT's would (`identityFromClaims`).
 */
export function createOidcLogin(opts: OidcLoginOptions) {
  const codec = pendingSignInCodec(opts.clientSecret);
  const provider = async () => {
    try {
      return await discoverOidc(opts.issuer);
    } catch (err) {
      throw new OidcSignInError('unavailable', (err as Error).message);
    }
  };
  return {
    codec,
    /** Where to send the browser, and what it must bring back (sealed into a cookie by the route). */
    async start(redirectUri: string, next: string): Promise<{ location: string; pending: PendingSignIn }> {
      const { authorizationEndpoint } = await provider();
      if (!authorizationEndpoint) throw new OidcSignInError('unavailable', 'no authorization_endpoint');
      const pending = {
        state: random(),
        nonce: random(),
        verifier: random(),
        next,
        expiresAt: Date.now() + OIDC_STATE_TTL_MS,
      };
      const url = new URL(authorizationEndpoint);
      for (const [k, v] of Object.entries({
        response_type: 'code',
        client_id: opts.clientId,
        redirect_uri: redirectUri,
        scope: opts.scopes,
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: s256(pending.verifier),
        code_challenge_method: 'S256',
      }))
        url.searchParams.set(k, v);
      return { location: url.toString(), pending };
    },

    /** The callback: state check, code exchange, id_token verification, role mapping. */
    async finish(
      query: { code?: string; state?: string; error?: string },
      pending: PendingSignIn | null,
      redirectUri: string,
    ): Promise<{ user: UserIdentity; subject: string }> {
      if (!pending || !query.state || query.state !== pending.state)
        throw new OidcSignInError('state', 'missing, expired or mismatched state');
      if (query.error) throw new OidcSignInError('denied', `provider answered ${query.error}`);
      if (!query.code) throw new OidcSignInError('state', 'no authorization code');
      const { tokenEndpoint, jwks } = await provider();
      if (!tokenEndpoint) throw new OidcSignInError('unavailable', 'no token_endpoint');
      const idToken = await exchange(tokenEndpoint, query.code, pending.verifier, redirectUri);
      let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
      try {
        ({ payload } = await jwtVerify(idToken, jwks, {
          issuer: opts.issuer,
          audience: opts.clientId,
          requiredClaims: ['sub', 'exp', 'iat', 'nonce'],
        }));
      } catch (err) {
        throw new OidcSignInError('token', `id_token rejected: ${(err as Error).message}`);
      }
      if (payload.nonce !== pending.nonce) throw new OidcSignInError('token', 'id_token nonce mismatch');
      if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== opts.clientId)
        throw new OidcSignInError('token', 'id_token azp is not this client');
      const identity = identityFromClaims(payload, opts);
      if (identity?.kind !== 'user') throw new OidcSignInError('role', 'no MoonMind user role in the claims');
      return { user: identity, subject: payload.sub as string };
    },
  };

  async function exchange(endpoint: string, code: string, verifier: string, redirectUri: string) {
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    });
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    // client_secret_basic (the spec's default) for a confidential client; a public client names itself.
    if (opts.clientSecret) {
      const basic = `${encodeURIComponent(opts.clientId)}:${encodeURIComponent(opts.clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
    } else body.set('client_id', opts.clientId);
    let res: Response;
    try {
      res = await fetch(endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    } catch (err) {
      throw new OidcSignInError('unavailable', `token endpoint unreachable: ${(err as Error).message}`);
    }
    const json = (await res.json().catch(() => ({}))) as { id_token?: unknown; error?: unknown };
    // Only the OAuth error code is kept: descriptions may echo what was sent.
    if (!res.ok)
      throw new OidcSignInError('exchange', `token endpoint: HTTP ${res.status} ${String(json.error)}`);
    if (typeof json.id_token !== 'string') throw new OidcSignInError('exchange', 'no id_token in the answer');
    return json.id_token;
  }
}

export type OidcLogin = ReturnType<typeof createOidcLogin>;

/**
 * The MoonMind user behind an OIDC sign-in, created on first sign-in. Its id comes from issuer + subject (the
 * same id its bearer JWTs get), never from its name, so an IdP user called "admin" is not the local admin; the
 * IdP's role wins at every sign-in, while a user an admin disabled stays disabled. When the name is taken by
 * another user, the subject is appended. Returns false for a disabled user.
 */
export async function upsertOidcUser(sql: Sql, user: UserIdentity, subject: string): Promise<boolean> {
  for (const name of [user.name, `${user.name} (${subject})`]) {
    try {
      const [row] = await sql<{ disabledAt: Date | null }[]>`
        INSERT INTO users (id, name, role) VALUES (${user.id}, ${name}, ${user.role})
        ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role
        RETURNING disabled_at AS "disabledAt"`;
      return row.disabledAt === null;
    } catch (err) {
      if ((err as { code?: string }).code !== '23505') throw err;
    }
  }
  throw new OidcSignInError('unavailable', 'no free user name');
}

/** Only same-origin relative paths are followed after sign-in (no open redirect). */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !/^\/(?![/\\])/.test(next) || /[\\\p{Cc}]/u.test(next)) return '/tasks';
  const base = 'http://moonmind.invalid';
  const url = new URL(next, base);
  return url.origin === base ? `${url.pathname}${url.search}${url.hash}` : '/tasks';
}
