import type { Middleware } from 'koa';
import {
  METRICS_CONTENT_TYPE,
  type MetricsSource,
  metricsAuthorized,
  metricsText,
} from '../../lib/metrics/serve.ts';
import type { ApiState } from '../context.ts';

/**
 * `GET /metrics` on the API port, answered before authentication: Prometheus presents the metrics token,
 * which is no user's credential, and a scrape must not spend anyone's rate limit. Mounted only when
 * MOONMIND_METRICS_TOKEN is set (docs/metrics.md), so the token is always required here.
 */
export function metricsEndpoint(source: MetricsSource, token: string): Middleware<ApiState> {
  return async (ctx, next) => {
    if (ctx.path !== '/metrics' || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    ctx.state.route = '/metrics';
    if (!metricsAuthorized(ctx.get('authorization') || undefined, token)) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Bearer');
      ctx.type = 'text/plain';
      ctx.body = 'a metrics token is required (Authorization: Bearer <MOONMIND_METRICS_TOKEN>)\n';
      return;
    }
    ctx.set('Content-Type', METRICS_CONTENT_TYPE);
    ctx.body = await metricsText(source);
  };
}
