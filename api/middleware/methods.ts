import type { Middleware } from 'koa';
import type { ApiState } from '../context.ts';
import { HttpError } from '../errors.ts';

/** The methods the router implements; a known method on a path without it is the router's 405. */
const implemented = new Set(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** Any other method (TRACE, QUERY, CONNECT, …) is a 501 on every path, in the one error shape. */
export function knownMethods(): Middleware<ApiState> {
  return async (ctx, next) => {
    if (!implemented.has(ctx.method)) {
      throw new HttpError('not_implemented', `${ctx.method} is not supported by this server`);
    }
    await next();
  };
}
