import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import type { ApiState } from '../context.ts';
import { type ErrorBody, HttpError } from '../errors.ts';
import { clientGone } from './access-log.ts';

/** Seconds a client is told to wait after a 503: a dependency restart or failover usually takes that long. */
export const UNAVAILABLE_RETRY_AFTER_S = 5;

/**
 * Every failure leaves as the one error shape. HttpErrors carry a safe message; anything else is logged
 * (with the request id) and answered as a bare 500, so no stack trace or internal detail reaches a caller.
 * A request whose client went away is not an error of ours: nothing is logged here (the access log says so).
 */
export function errorShape(logger: Logger): Middleware<ApiState> {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined && ctx.path.startsWith('/api')) {
        throw new HttpError('not_found', `no route ${ctx.method} ${ctx.path}`);
      }
      if (ctx.status === 405) {
        throw new HttpError(
          'method_not_allowed',
          `${ctx.method} is not allowed here (allowed: ${ctx.response.get('Allow')})`,
        );
      }
    } catch (err) {
      if (clientGone(ctx)) return;
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

// gRPC status codes of a Temporal call that did not get through in time: DEADLINE_EXCEEDED, UNAVAILABLE.
const grpcUnavailable = new Set([4, 14]);
// Node socket errors, and the `postgres` client's own codes for a connection that failed or went away.
const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
]);
// SQLSTATEs: class 08 (connection exception), server shutting down or starting (57P01-57P03), too many
// connections, and 57014, a statement cancelled by our statement_timeout (the database is too slow to answer).
const sqlUnavailable = (code: string) =>
  /^08/.test(code) || /^57P0[123]$/.test(code) || code === '53300' || code === '57014';

type ErrorLike = { code?: unknown; details?: unknown; cause?: unknown };

/** Temporal or PostgreSQL could not be reached (or did not answer in time), anywhere in the cause chain. */
function isDependencyUnavailable(err: unknown): boolean {
  let e = err as ErrorLike | undefined;
  for (let depth = 0; e && depth < 8; depth++, e = e.cause as ErrorLike | undefined) {
    if (typeof e.code === 'number' && 'details' in e && grpcUnavailable.has(e.code)) return true;
    if (typeof e.code === 'string' && (connectionCodes.has(e.code) || sqlUnavailable(e.code))) return true;
  }
  return false;
}

/** HttpErrors, plus Temporal/Postgres connectivity failures as 503 and Koa's own client errors. */
function toHttpError(err: unknown): HttpError | null {
  if (err instanceof HttpError) return err;
  if (isDependencyUnavailable(err)) {
    return new HttpError('unavailable', 'a dependency is unavailable, retry later', undefined, {
      'Retry-After': String(UNAVAILABLE_RETRY_AFTER_S),
    });
  }
  const e = err as { status?: number; expose?: boolean; message?: string; code?: unknown };
  // PostgreSQL refuses NUL in text (22021) and in jsonb (22P05): the caller sent it, so it is a 400.
  if (e?.code === '22021' || e?.code === '22P05') {
    return new HttpError(
      'validation_failed',
      'a text value contains a NUL character, which cannot be stored',
    );
  }
  if (e?.status === 413) return new HttpError('payload_too_large', 'request body too large');
  if (e?.status && e.status >= 400 && e.status < 500 && e.expose)
    return new HttpError('validation_failed', e.message ?? 'bad request');
  return null;
}
