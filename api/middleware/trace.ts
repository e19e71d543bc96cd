import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Middleware } from 'koa';
import { tracer } from '../../lib/tracing.ts';
import type { ApiState } from '../context.ts';

/**
 * A server span per request (used only when tracing is on), continuing the caller's W3C `traceparent` (a
 * worker's event and artifact uploads join their run's trace) and active for the handler, so a workflow the
 * handler starts is its child. It ends named after the route template the router matched. Only the
 * method, route, path and status go on it: never headers or the query.
 */
export function requestSpan(): Middleware<ApiState> {
  return (ctx, next) => {
    const parent = propagation.extract(context.active(), ctx.headers);
    const span = tracer().startSpan(
      ctx.method,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': ctx.method, 'url.path': ctx.path },
      },
      parent,
    );
    return context.with(trace.setSpan(parent, span), async () => {
      try {
        await next();
      } finally {
        // Named after the route template the router matched (`ctx.state.route`), e.g. `POST /api/queue/jobs`.
        if (ctx.state.route) {
          span.updateName(`${ctx.method} ${ctx.state.route}`);
          span.setAttribute('http.route', ctx.state.route);
        }
        span.setAttribute('http.response.status_code', ctx.status);
        if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
    });
  };
}
