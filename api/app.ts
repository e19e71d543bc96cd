import Koa from 'koa';
import type { ApiDeps, ApiState } from './context.ts';
import { accessLog } from './middleware/access-log.ts';
import { authenticate } from './middleware/authenticate.ts';
import { dashboard } from './middleware/dashboard.ts';
import { errorShape } from './middleware/errors.ts';
import { knownMethods } from './middleware/methods.ts';
import { requestId } from './middleware/request-id.ts';
import { buildRouter } from './router.ts';
import { routes } from './routes/index.ts';

/**
 * The Koa app: every request gets an id, an access-log line, the one error shape, a 501 for methods the
 * server does not know, and an identity (or none);
 * then the route table's router (per-route auth, CSRF, rate limit, body, validation: see router.ts), then
 * the dashboard for non-API GETs.
 */
export function createApp(deps: ApiDeps): Koa<ApiState> {
  const app = new Koa<ApiState>({ proxy: Boolean(deps.config.MOONMIND_PUBLIC_URL) });
  const router = buildRouter(routes, deps);
  app.use(requestId());
  app.use(accessLog(deps.logger));
  app.use(errorShape(deps.logger));
  app.use(securityHeaders());
  app.use(knownMethods());
  app.use(authenticate(deps));
  app.use(router.routes());
  app.use(router.allowedMethods());
  if (deps.webDir) app.use(dashboard(deps.webDir));
  app.silent = true;
  return app;
}

function securityHeaders(): Koa.Middleware<ApiState> {
  return async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'same-origin');
    ctx.set('X-Frame-Options', 'DENY');
    await next();
  };
}
