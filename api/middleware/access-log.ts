import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import { identityKey } from '../auth/identity.ts';
import type { ApiState } from '../context.ts';

/** The client closed its connection before the response was sent (nothing can reach it any more). */
export const clientGone = (ctx: Pick<Context, 'req' | 'res'>) =>
  !ctx.res.writableEnded && (ctx.req.socket?.destroyed ?? true);

/** One JSON line per request: id, method, path, status, time, identity key. Never headers or query secrets. */
export function accessLog(logger: Logger): Middleware<ApiState> {
  return async (ctx, next) => {
    const start = performance.now();
    try {
      await next();
    } finally {
      const entry = {
        reqId: ctx.state.requestId,
        method: ctx.method,
        path: ctx.path,
        status: ctx.status,
        ms: Math.round(performance.now() - start),
        identity: ctx.state.identity ? identityKey(ctx.state.identity) : null,
      };
      // A client that hung up is its own choice, not a failure of ours: logged as such (499, nginx's "client
      // closed request"), whatever status the app had set.
      if (clientGone(ctx))
        logger.info({ ...entry, status: 499, clientClosed: true }, 'request aborted by client');
      // 503 means a dependency is not there (yet): readiness probes get it while the stack starts.
      else if (ctx.status === 503) logger.warn(entry, 'request');
      else if (ctx.status >= 500) logger.error(entry, 'request');
      else logger.debug(entry, 'request');
    }
  };
}
