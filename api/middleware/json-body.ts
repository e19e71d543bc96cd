import type { Middleware } from 'koa';
import type { ApiState } from '../context.ts';
import { HttpError } from '../errors.ts';

export const JSON_LIMIT_BYTES = 1024 * 1024;
/** Deepest object/array nesting a body may have: far above any real payload, far below a stack overflow. */
export const JSON_MAX_DEPTH = 64;

const tooLarge = () =>
  new HttpError('payload_too_large', `JSON bodies are limited to 1 MB (${JSON_LIMIT_BYTES} bytes)`);

/**
 * The deepest bracket nesting of JSON text, counted outside strings, stopping early past `limit`. A scan
 * of the raw text (no recursion, no parse) so a hostile body is refused before anything walks its value.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // A backslash escapes the next character (an escaped quote does not end the string).
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Read a JSON body (at most 1 MB, nested at most 64 levels) into ctx.state.input.body; empty is `{}`. */
export function jsonBody(): Middleware<ApiState> {
  return async (ctx, next) => {
    const declared = Number(ctx.get('content-length') || 0);
    if (declared > JSON_LIMIT_BYTES) throw tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.req) {
      size += (chunk as Buffer).length;
      if (size > JSON_LIMIT_BYTES) throw tooLarge();
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    // Only a body with no bytes at all means "nothing"; whitespace alone is not JSON.
    if (text === '') ctx.state.input.body = {};
    else {
      if (!ctx.is('application/json', '+json')) {
        throw new HttpError('unsupported_media_type', 'send JSON with Content-Type: application/json');
      }
      if (jsonDepthExceeds(text, JSON_MAX_DEPTH)) {
        throw new HttpError('validation_failed', `JSON bodies may nest at most ${JSON_MAX_DEPTH} levels`, [
          { path: '', message: `nested deeper than ${JSON_MAX_DEPTH} levels` },
        ]);
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
