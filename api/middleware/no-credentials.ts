import type { Middleware } from 'koa';
import { manifestSecretIssues } from '../../contracts/manifest-parse.ts';
import { findSecretPaths } from '../../contracts/secrets.ts';
import type { ApiState } from '../context.ts';
import { validationFailed } from '../errors.ts';

const manifestContentPaths = new Set(['payload.manifest.source.content', 'content']);
const valueAt = (value: unknown, path: (string | number)[]): unknown =>
  path.reduce<unknown>(
    (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
    value,
  );

/**
 * User request bodies carry references, never raw credentials: a token-like string in any field is a 400
 * naming the field (the value is never echoed). Worker bodies are redacted on ingest instead.
 */
export function noCredentials(): Middleware<ApiState> {
  return async (ctx, next) => {
    const body = ctx.state.input.body;
    const paths = findSecretPaths(body);
    if (paths.length) {
      throw validationFailed(
        paths.flatMap((p) => {
          const path = p.join('.');
          // Manifest YAML (a job's inline source, a registry PUT): name the YAML path and line inside it.
          const inYaml = manifestContentPaths.has(path) ? manifestSecretIssues(valueAt(body, p)) : [];
          return inYaml.length
            ? inYaml
            : [{ path, message: 'looks like a raw credential; send a secret reference instead' }];
        }),
      );
    }
    await next();
  };
}
