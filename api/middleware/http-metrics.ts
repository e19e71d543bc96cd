import type { Middleware } from 'koa';
import { httpRequestDuration, httpRequests } from '../../lib/metrics/control-plane.ts';
import type { ApiState } from '../context.ts';
import { knownMethodList } from './methods.ts';

const known = new Set(knownMethodList);

/**
 * Request count and latency by method, route template and status. The template is the matched route's
 * table path (`/api/queue/jobs/{jobId}`, set by the router); requests no route took count as `unmatched`
 * (API paths) or `dashboard`, so a scan of random URLs cannot grow the label set.
 */
export function httpMetrics(): Middleware<ApiState> {
  return async (ctx, next) => {
    const end = httpRequestDuration.startTimer();
    try {
      await next();
    } finally {
      const labels = {
        method: known.has(ctx.method) ? ctx.method : 'other',
        route: ctx.state.route ?? (ctx.path.startsWith('/api/') ? 'unmatched' : 'dashboard'),
        status: String(ctx.status),
      };
      httpRequests.inc(labels);
      end(labels);
    }
  };
}
