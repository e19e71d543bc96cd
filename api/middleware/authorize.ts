import type { Middleware } from 'koa';
import { type Identity, roleAtLeast } from '../auth/identity.ts';
import type { ApiState } from '../context.ts';
import { HttpError } from '../errors.ts';

/**
 * Who may call a route: anyone, a user with at least a role, or a worker token. `proposer` is an operator
 * or a worker token holding the `proposals_write` scope (its repository scope is checked by the route).
 */
export type Access = 'public' | 'viewer' | 'operator' | 'admin' | 'worker' | 'proposer';
export const PROPOSALS_WRITE = 'proposals_write';

export function authorize(access: Access): Middleware<ApiState> {
  return async (ctx, next) => {
    const refused = accessRefusal(ctx.state.identity, access);
    if (refused) throw refused;
    await next();
  };
}

/** Why `identity` may not use a route of `access` (null: it may); also checks socket upgrades. */
export function accessRefusal(identity: Identity | null, access: Access): HttpError | null {
  if (access === 'public') return null;
  if (!identity) return new HttpError('unauthenticated', 'sign in or send a bearer token');
  if (access === 'proposer') {
    if (identity.kind === 'worker' && !identity.scope.scopes.includes(PROPOSALS_WRITE))
      return new HttpError('forbidden', `this worker token lacks the ${PROPOSALS_WRITE} scope`);
    if (identity.kind === 'user' && !roleAtLeast(identity.role, 'operator'))
      return new HttpError('forbidden', 'requires the operator role');
  } else if (access === 'worker') {
    if (identity.kind !== 'worker') return new HttpError('forbidden', 'this route is for worker tokens');
  } else if (identity.kind !== 'user') {
    return new HttpError('forbidden', 'worker tokens cannot call user routes');
  } else if (!roleAtLeast(identity.role, access)) {
    return new HttpError('forbidden', `requires the ${access} role`);
  }
  return null;
}

/** Cookie-authenticated writes must echo the session's CSRF token; bearer requests need none. */
export function csrf(): Middleware<ApiState> {
  return async (ctx, next) => {
    const identity = ctx.state.identity;
    const write = !['GET', 'HEAD', 'OPTIONS'].includes(ctx.method);
    if (write && identity?.kind === 'user' && identity.via === 'session') {
      if (ctx.get('x-csrf-token') !== identity.csrfToken) {
        throw new HttpError('csrf_failed', 'missing or wrong X-CSRF-Token header');
      }
    }
    await next();
  };
}
