import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { ApiState } from '../context.ts';

const safeId = /^[A-Za-z0-9._:-]{8,100}$/;

/** A request id on every request and response (a caller's own X-Request-Id is kept when it is sane). */
export function requestId(): Middleware<ApiState> {
  return async (ctx, next) => {
    const given = ctx.get('x-request-id');
    ctx.state.requestId = safeId.test(given) ? given : randomUUID();
    ctx.state.identity = null;
    ctx.state.sessionId = null;
    ctx.state.input = { params: {}, query: {}, headers: {}, body: undefined };
    ctx.set('X-Request-Id', ctx.state.requestId);
    await next();
  };
}
