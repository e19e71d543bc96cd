import type { Middleware } from 'koa';
import type { z } from 'zod';
import type { ApiState } from '../context.ts';
import { validationFailed } from '../errors.ts';

/** A zod error as field issues (`payload.task.instructions`), for routes that parse a body themselves. */
export const issuesOf = (error: z.ZodError) =>
  error.issues.flatMap((i) =>
    // A strict object's unknown keys are named one by one, like every other failing field.
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({
          path: [...i.path, key].map(String).join('.'),
          message: 'is not a known field',
        }))
      : [{ path: i.path.map(String).join('.'), message: i.message }],
  );

/**
 * Parse path params, query, the route's headers and body with the route's zod schemas; every failing field
 * is reported (a header by its canonical name). Only declared headers are read; an empty one counts as absent.
 */
export function validate(schemas: {
  params?: z.ZodType;
  query?: z.ZodType;
  headers?: z.ZodObject;
  body?: z.ZodType;
}): Middleware<ApiState> {
  return async (ctx, next) => {
    const issues = [];
    const input = ctx.state.input;
    const headers = Object.fromEntries(
      Object.keys(schemas.headers?.shape ?? {}).map((name) => [name, ctx.get(name) || undefined]),
    );
    const parts = [
      ['params', schemas.params, (ctx as unknown as { params?: Record<string, unknown> }).params ?? {}],
      ['query', schemas.query, ctx.query],
      ['headers', schemas.headers, headers],
      ['body', schemas.body, input.body],
    ] as const;
    for (const [key, schema, raw] of parts) {
      if (!schema) {
        if (key !== 'body') input[key] = raw as Record<string, unknown>;
        continue;
      }
      const result = schema.safeParse(raw);
      if (result.success) input[key] = result.data as never;
      else issues.push(...issuesOf(result.error));
    }
    if (issues.length) throw validationFailed(issues);
    await next();
  };
}
