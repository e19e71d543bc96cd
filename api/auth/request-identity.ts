import type { ApiDeps } from '../context.ts';
import { HttpError } from '../errors.ts';
import type { Identity } from './identity.ts';
import { identityForSession } from './sessions.ts';
import { identityForToken } from './tokens.ts';

/**
 * Who is calling, for requests and socket upgrades alike: a bearer token (an API token of ours, looked up by
 * hash whatever its shape, so an admin token the operator chose signs in like a generated `mm_u_…` one;
 * otherwise an OIDC JWT when an issuer is configured) or the session cookie. A bearer credential that does
 * not check out throws a 401.
 */
export async function identityOf(
  deps: Pick<ApiDeps, 'sql' | 'oidc'>,
  credentials: { authorization?: string; sessionCookie?: string },
): Promise<{ identity: Identity | null; sessionId: string | null }> {
  const header = credentials.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new HttpError('unauthenticated', 'Authorization must be "Bearer <token>"');
    const token = match[1];
    const identity =
      (await identityForToken(deps.sql, token)) ??
      (deps.oidc && !token.startsWith('mm_') ? await deps.oidc(token) : null);
    if (!identity) throw new HttpError('unauthenticated', 'invalid or revoked token');
    return { identity, sessionId: null };
  }
  const sessionId = credentials.sessionCookie;
  if (!sessionId) return { identity: null, sessionId: null };
  const identity = await identityForSession(deps.sql, sessionId);
  return { identity, sessionId: identity ? sessionId : null };
}
