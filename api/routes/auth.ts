import { z } from 'zod';
import type { UserIdentity } from '../auth/identity.ts';
import { createSession, deleteSession, SESSION_COOKIE } from '../auth/sessions.ts';
import { identityForToken } from '../auth/tokens.ts';
import type { ApiContext, ApiDeps } from '../context.ts';
import { HttpError } from '../errors.ts';
import { userSchema } from '../schemas.ts';
import { defineRoutes, input } from './table.ts';

const meSchema = z.object({ user: userSchema, csrfToken: z.string().nullable() });
const publicUser = (u: UserIdentity) => ({ id: u.id, name: u.name, role: u.role });

const secureCookies = (ctx: ApiContext, deps: ApiDeps) => deps.config.MOONMIND_SECURE_COOKIES ?? ctx.secure;

export const authRoutes = defineRoutes([
  {
    method: 'get',
    path: '/api/auth/providers',
    summary: 'How to sign in',
    tag: 'auth',
    access: 'public',
    responses: {
      200: {
        description: 'sign-in methods',
        schema: z.object({
          token: z.boolean(),
          oidc: z.object({ enabled: z.boolean(), issuer: z.string().nullable() }),
        }),
      },
    },
    async handler(ctx, deps) {
      const issuer = deps.config.MOONMIND_OIDC_ISSUER ?? null;
      ctx.body = { token: true, oidc: { enabled: issuer !== null, issuer } };
    },
  },
  {
    method: 'post',
    path: '/api/auth/session',
    summary: 'Sign in with a user API token: sets the mm_session cookie, returns the CSRF token for writes',
    tag: 'auth',
    access: 'public',
    rateLimited: true,
    body: z.object({ token: z.string().min(1).max(500) }),
    acceptsCredential: true,
    responses: { 200: { description: 'signed in', schema: meSchema } },
    async handler(ctx, deps) {
      const { token } = input<never, never, { token: string }>(ctx).body;
      const identity = token.startsWith('mm_') ? await identityForToken(deps.sql, token) : null;
      if (identity?.kind !== 'user') throw new HttpError('unauthenticated', 'invalid or revoked user token');
      const { sessionId, csrfToken, expiresAt } = await createSession(
        deps.sql,
        identity.id,
        deps.config.MOONMIND_SESSION_TTL_HOURS,
      );
      ctx.cookies.set(SESSION_COOKIE, sessionId, {
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookies(ctx, deps),
        expires: expiresAt,
        path: '/',
        overwrite: true,
      });
      ctx.body = { user: publicUser(identity), csrfToken };
    },
  },
  {
    method: 'get',
    path: '/api/auth/me',
    summary: 'The signed-in user (and the session CSRF token)',
    tag: 'auth',
    access: 'viewer',
    responses: { 200: { description: 'the user', schema: meSchema } },
    async handler(ctx) {
      const identity = ctx.state.identity as UserIdentity;
      ctx.body = { user: publicUser(identity), csrfToken: identity.csrfToken };
    },
  },
  {
    method: 'delete',
    path: '/api/auth/session',
    summary: 'Sign out',
    tag: 'auth',
    access: 'public',
    responses: { 204: { description: 'signed out' } },
    async handler(ctx, deps) {
      if (ctx.state.sessionId) await deleteSession(deps.sql, ctx.state.sessionId);
      ctx.cookies.set(SESSION_COOKIE, '', {
        expires: new Date(0),
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
      });
      ctx.status = 204;
    },
  },
]);
