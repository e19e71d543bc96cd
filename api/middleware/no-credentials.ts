import type { Middleware } from 'koa';
import { findSecretPaths } from '../../contracts/secrets.ts';
import type { ApiState } from '../context.ts';
import { validationFailed } from '../errors.ts';

/**
 * User request bodies carry references, never raw credentials: a token-like string in any field is a 400
 * naming the field (the value is never echoed). Worker bodies are redacted on ingest instead.
 */
export function noCredentials(): Middleware<ApiState> {
  return async (ctx, next) => {
    const paths = findSecretPaths(ctx.state.input.body);
    if (paths.length) {
      throw validationFailed(
        paths.map((p) => ({
          path: p.join('.'),
          message: 'looks like a raw credential; send a secret reference instead',
        })),
      );
    }
    await next();
  };
}
