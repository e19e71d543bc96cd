import type { Middleware } from 'koa';
import { identityForSession, SESSION_COOKIE } from '../auth/sessions.ts';
import { identityForToken } from '../auth/tokens.ts';
import type { ApiDeps, ApiState } from '../context.ts';
import { HttpError } from '../errors.ts';

/**
 * Who is calling: a bearer token (an API token of ours, looked up by hash whatever its shape, so an admin token
 * the operator chose signs in like a generated `mm_u_…` one; otherwise an OIDC JWT when an issuer is
 * configured) or the session cookie. A bearer credential that does not check out is a 401 at once;
 * whether the identity may use the route is decided per route (`authorize`).
 */
export function authenticate(deps: Pick<ApiDeps, 'sql' | 'oidc'>): Middleware<ApiState> {
  return async (ctx, next) => {
    const header = ctx.get('authorization');
    if (header) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match) throw new HttpError('unauthenticated', 'Authorization must be "Bearer <token>"');
      const token = match[1];
      const identity =
        (await identityForToken(deps.sql, token)) ??
        (deps.oidc && !token.startsWith('mm_') ? await deps.oidc(token) : null);
      if (!identity) throw new HttpError('unauthenticated', 'invalid or revoked token');
      ctx.state.identity = identity;
    } else {
      const sessionId = ctx.cookies.get(SESSION_COOKIE);
      if (sessionId) {
        ctx.state.identity = await identityForSession(deps.sql, sessionId);
        if (ctx.state.identity) ctx.state.sessionId = sessionId;
      }
    }
    await next();
  };
}
