import type { Middleware } from 'koa';
import { identityOf } from '../auth/request-identity.ts';
import { SESSION_COOKIE } from '../auth/sessions.ts';
import type { ApiDeps, ApiState } from '../context.ts';

/**
 * Who is calling (`identityOf`): a bearer credential that does not check out is a 401 at once; whether the
 * identity may use the route is decided per route (`authorize`).
 */
export function authenticate(deps: Pick<ApiDeps, 'sql' | 'oidc'>): Middleware<ApiState> {
  return async (ctx, next) => {
    const { identity, sessionId } = await identityOf(deps, {
      authorization: ctx.get('authorization') || undefined,
      sessionCookie: ctx.cookies.get(SESSION_COOKIE),
    });
    if (identity) ctx.state.identity = identity;
    if (sessionId) ctx.state.sessionId = sessionId;
    await next();
  };
}
