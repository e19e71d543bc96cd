import Koa from 'koa';
import { tracingOn } from '../lib/tracing.ts';
import type { ApiDeps, ApiState } from './context.ts';
import { accessLog } from './middleware/access-log.ts';
import { authenticate } from './middleware/authenticate.ts';
import { dashboard } from './middleware/dashboard.ts';
import { errorShape } from './middleware/errors.ts';
import { httpMetrics } from './middleware/http-metrics.ts';
import { knownMethods } from './middleware/methods.ts';
import { metricsEndpoint } from './middleware/metrics-endpoint.ts';
import { requestId } from './middleware/request-id.ts';
import { requestSpan } from './middleware/trace.ts';
import { buildRouter } from './router.ts';
import { routes } from './routes/index.ts';

/**
 * The Koa app: every request gets a trace span (when tracing is on), an id, an access-log line, the one
 * error shape, a 501 for methods the server does not know, and an identity (or none); with metrics on,
 * request metrics and `GET /metrics`;
 * then the route table's router (per-route auth, CSRF, rate limit, body, validation: see router.ts), then
 * the dashboard for non-API GETs.
 */
export function createApp(deps: ApiDeps): Koa<ApiState> {
  const app = new Koa<ApiState>({ proxy: Boolean(deps.config.MOONMIND_PUBLIC_URL) });
  const router = buildRouter(routes, deps);
  if (tracingOn()) app.use(requestSpan());
  app.use(requestId());
  app.use(accessLog(deps.logger));
  if (deps.metrics) app.use(httpMetrics());
  app.use(errorShape(deps.logger));
  app.use(securityHeaders());
  app.use(knownMethods());
  const metricsToken = deps.config.MOONMIND_METRICS_TOKEN;
  if (deps.metrics && metricsToken) app.use(metricsEndpoint(deps.metrics, metricsToken));
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
