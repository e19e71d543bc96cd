import type { Middleware } from 'koa';
import type { ApiState } from '../context.ts';
import { HttpError } from '../errors.ts';

export const JSON_LIMIT_BYTES = 1024 * 1024;

/** Read a JSON body (at most 1 MB) into ctx.state.input.body; an empty body is `{}`. */
export function jsonBody(): Middleware<ApiState> {
  return async (ctx, next) => {
    const declared = Number(ctx.get('content-length') || 0);
    if (declared > JSON_LIMIT_BYTES)
      throw new HttpError('payload_too_large', 'JSON bodies are limited to 1 MB');
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.req) {
      size += (chunk as Buffer).length;
      if (size > JSON_LIMIT_BYTES)
        throw new HttpError('payload_too_large', 'JSON bodies are limited to 1 MB');
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') ctx.state.input.body = {};
    else {
      if (!ctx.is('application/json', '+json')) {
        throw new HttpError('unsupported_media_type', 'send JSON with Content-Type: application/json');
      }
      try {
        ctx.state.input.body = JSON.parse(text);
      } catch {
        throw new HttpError('validation_failed', 'the body is not valid JSON', [
          { path: '', message: 'invalid JSON' },
        ]);
      }
    }
    await next();
  };
}
