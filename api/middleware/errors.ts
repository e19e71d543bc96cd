import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { ApiState } from '../context.ts';
import { type ErrorBody, HttpError } from '../errors.ts';

/**
 * Every failure leaves as the one error shape. HttpErrors carry a safe message; anything else is logged
 * (with the request id) and answered as a bare 500, so no stack trace or internal detail reaches a caller.
 */
export function errorShape(logger: Logger): Middleware<ApiState> {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.path.startsWith('/api') && ctx.status === 404 && ctx.body === undefined) {
        throw new HttpError('not_found', `no route ${ctx.method} ${ctx.path}`);
      }
      if (ctx.path.startsWith('/api') && ctx.status === 405) {
        throw new HttpError(
          'method_not_allowed',
          `${ctx.method} is not allowed here (allowed: ${ctx.response.get('Allow')})`,
        );
      }
    } catch (err) {
      const known = toHttpError(err);
      if (!known) logger.error({ reqId: ctx.state.requestId, err }, 'unhandled error');
      const e = known ?? new HttpError('internal', 'internal error');
      const body: ErrorBody = {
        error: {
          code: e.code,
          message: e.message,
          requestId: ctx.state.requestId,
          ...(e.issues ? { issues: e.issues } : {}),
        },
      };
      ctx.status = e.status;
      ctx.body = body;
      for (const [k, v] of Object.entries(e.headers ?? {})) ctx.set(k, v);
    }
  };
}

/** HttpErrors, plus Temporal/Postgres connectivity failures as 503 and Koa's own client errors. */
function toHttpError(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  const e = err as { name?: string; code?: string; status?: number; expose?: boolean; message?: string };
  if (
    e?.name === 'ServiceError' ||
    e?.name === 'ConnectionError' ||
    e?.code === 'ECONNREFUSED' ||
    e?.code === 'CONNECTION_CLOSED'
  ) {
    return new HttpError('unavailable', 'a dependency is unavailable, retry later');
  }
  if (e?.status === 413) return new HttpError('payload_too_large', 'request body too large');
  if (e?.status && e.status >= 400 && e.status < 500 && e.expose)
    return new HttpError('validation_failed', e.message ?? 'bad request');
  return null;
}
