import { z } from 'zod';
import type { Config } from '../../contracts/config.ts';
import type { UserIdentity } from '../auth/identity.ts';
import {
  createOidcLogin,
  type OidcLogin,
  OidcSignInError,
  type SignInFailure,
  safeNext,
  upsertOidcUser,
} from '../auth/oidc-login.ts';
import { OIDC_STATE_COOKIE, OIDC_STATE_TTL_MS } from '../auth/oidc-state.ts';
import { createSession, deleteSession, SESSION_COOKIE } from '../auth/sessions.ts';
import { identityForToken } from '../auth/tokens.ts';
import type { ApiContext, ApiDeps } from '../context.ts';
import { HttpError } from '../errors.ts';
import { errorSchema, userSchema } from '../schemas.ts';
import { defineRoutes, input } from './table.ts';

const meSchema = z.object({ user: userSchema, csrfToken: z.string().nullable() });
const publicUser = (u: UserIdentity) => ({ id: u.id, name: u.name, role: u.role });

const secureCookies = (ctx: ApiContext, deps: ApiDeps) => deps.config.MOONMIND_SECURE_COOKIES ?? ctx.secure;

/** The cookie session both sign-in paths end with; returns the CSRF token for writes. */
async function startSession(ctx: ApiContext, deps: ApiDeps, userId: string): Promise<string> {
  const { sessionId, csrfToken, expiresAt } = await createSession(
    deps.sql,
    userId,
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
  return csrfToken;
}

/** Browser OIDC sign-in, when an issuer and a client id are configured (one per API instance). */
const oidcLogins = new WeakMap<Config, OidcLogin | null>();
function oidcLogin(config: Config): OidcLogin | null {
  if (!oidcLogins.has(config)) {
    const { MOONMIND_OIDC_ISSUER: issuer, MOONMIND_OIDC_CLIENT_ID: clientId } = config;
    oidcLogins.set(
      config,
      issuer && clientId
        ? createOidcLogin({
            issuer,
            clientId,
            clientSecret: config.MOONMIND_OIDC_CLIENT_SECRET,
            rolesClaim: config.MOONMIND_OIDC_ROLES_CLAIM,
            scopes: config.MOONMIND_OIDC_SCOPES,
          })
        : null,
    );
  }
  return oidcLogins.get(config) ?? null;
}

const OIDC_CALLBACK = '/api/auth/oidc/callback';
const vschars = /^[\x20-\x7e]*$/;
const nqschars = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const stateCookie = { path: OIDC_CALLBACK, httpOnly: true, sameSite: 'lax', overwrite: true } as const;
// Behind a proxy the public URL is what the provider must redirect to; otherwise the request's own origin.
const callbackUrl = (ctx: ApiContext, deps: ApiDeps) =>
  new URL(OIDC_CALLBACK, deps.config.MOONMIND_PUBLIC_URL ?? `${ctx.protocol}://${ctx.host}`).toString();

/** A refused browser sign-in ends on the sign-in page with a reason code (the page words it), never a detail. */
function toSignIn(ctx: ApiContext, deps: ApiDeps, err: unknown, next: string) {
  const reason: SignInFailure = err instanceof OidcSignInError ? err.reason : 'unavailable';
  if (err instanceof OidcSignInError)
    deps.logger.warn({ reason, detail: err.message }, 'OIDC sign-in refused');
  else deps.logger.error({ err }, 'OIDC sign-in failed');
  ctx.redirect(`/sign-in?${new URLSearchParams({ error: `oidc_${reason}`, next })}`);
}

const redirectResponse = (description: string) => ({ 302: { description } });

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
          oidc: z.object({
            enabled: z.boolean().meta({ description: 'OIDC bearer JWTs are accepted' }),
            issuer: z.string().nullable(),
            login: z
              .boolean()
              .meta({ description: 'the browser sign-in (/api/auth/oidc/login) is available' }),
            name: z.string().nullable().meta({ description: 'provider name for "Sign in with <name>"' }),
          }),
        }),
      },
    },
    async handler(ctx, deps) {
      const issuer = deps.config.MOONMIND_OIDC_ISSUER ?? null;
      const login = oidcLogin(deps.config) !== null;
      const name = login ? (deps.config.MOONMIND_OIDC_NAME ?? new URL(issuer as string).host) : null;
      ctx.body = { token: true, oidc: { enabled: issuer !== null, issuer, login, name } };
    },
  },
  {
    method: 'get',
    path: '/api/auth/oidc/login',
    summary: 'Start browser sign-in with the OIDC provider (authorization code + PKCE): redirects to it',
    tag: 'auth',
    access: 'public',
    rateLimited: true,
    // At most 1000 characters: percent-encoded (up to 12 bytes each) the request line still fits the 16 KB
    // header limit, so an over-long value is this route's 400 and not the server's 431.
    query: z.object({ next: z.string().max(1000).optional() }),
    responses: redirectResponse('to the provider, or to /sign-in?error=… when sign-in is unavailable'),
    async handler(ctx, deps) {
      const next = safeNext(input<never, { next?: string }>(ctx).query.next);
      try {
        const login = oidcLogin(deps.config);
        if (!login) throw new OidcSignInError('unavailable', 'browser OIDC sign-in is not configured');
        const { location, pending } = await login.start(callbackUrl(ctx, deps), next);
        ctx.cookies.set(OIDC_STATE_COOKIE, login.codec.seal(pending), {
          ...stateCookie,
          secure: secureCookies(ctx, deps),
          maxAge: OIDC_STATE_TTL_MS,
        });
        ctx.redirect(location);
      } catch (err) {
        toSignIn(ctx, deps, err, next);
      }
    },
  },
  {
    method: 'get',
    path: OIDC_CALLBACK,
    summary: "The OIDC provider's redirect back: signs in (mm_session cookie) and redirects to `next`",
    tag: 'auth',
    access: 'public',
    rateLimited: true,
    // RFC 6749 appendix A: code and state are VSCHARs, error is NQSCHARs (all printable ASCII).
    query: z.object({
      code: z.string().max(4000).regex(vschars, 'must be printable ASCII').optional(),
      state: z.string().max(200).regex(vschars, 'must be printable ASCII').optional(),
      error: z.string().max(200).regex(nqschars, 'must be printable ASCII without " or \\').optional(),
    }),
    responses: redirectResponse('to the page sign-in started from, or to /sign-in?error=…'),
    async handler(ctx, deps) {
      const login = oidcLogin(deps.config);
      const pending = login?.codec.open(ctx.cookies.get(OIDC_STATE_COOKIE)) ?? null;
      // One use only: whatever happens next, the pending sign-in is spent.
      ctx.cookies.set(OIDC_STATE_COOKIE, '', { ...stateCookie, expires: new Date(0) });
      const next = pending?.next ?? '/tasks';
      try {
        if (!login) throw new OidcSignInError('unavailable', 'browser OIDC sign-in is not configured');
        const { user, subject } = await login.finish(input(ctx).query, pending, callbackUrl(ctx, deps));
        if (!(await upsertOidcUser(deps.sql, user, subject)))
          throw new OidcSignInError('disabled', 'user is disabled');
        await startSession(ctx, deps, user.id);
        ctx.redirect(next);
      } catch (err) {
        toSignIn(ctx, deps, err, next);
      }
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
    responses: {
      200: { description: 'signed in', schema: meSchema },
      401: { description: 'not a valid user token', schema: errorSchema },
    },
    async handler(ctx, deps) {
      const { token } = input<never, never, { token: string }>(ctx).body;
      const identity = await identityForToken(deps.sql, token);
      if (identity?.kind !== 'user') throw new HttpError('unauthenticated', 'invalid or revoked user token');
      const csrfToken = await startSession(ctx, deps, identity.id);
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
