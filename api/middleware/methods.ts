import type { Middleware } from 'koa';
import type { ApiState } from '../context.ts';
import { HttpError } from '../errors.ts';

/**
 * The methods this server knows: HTTP's own (RFC 9110's less CONNECT, which Node hands to no request handler;
 * PATCH; QUERY). The router is built with this list, so a known method on a path that lacks it is a 405 with
 * `Allow`: TRACE and QUERY too, which no resource here supports.
 */
export const knownMethodList = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE', 'TRACE', 'QUERY'];
const known = new Set(knownMethodList);

/** Any other method (WebDAV's PROPFIND, LOCK, …) is a 501 on every path, in the one error shape. */
export function knownMethods(): Middleware<ApiState> {
  return async (ctx, next) => {
    if (!known.has(ctx.method)) {
      throw new HttpError('not_implemented', `${ctx.method} is not supported by this server`);
    }
    await next();
  };
}
