import type { z } from 'zod';
import type { Config } from '../../contracts/config.ts';
import type { ApiContext, ApiDeps } from '../context.ts';
import type { Access } from '../middleware/authorize.ts';

export interface ResponseDef {
  description: string;
  schema?: z.ZodType;
  /** Defaults to application/json when a schema is given. */
  contentType?: string;
}

/**
 * One route: the router is built from these and so is the OpenAPI document, so the two cannot drift.
 * `path` is in OpenAPI form (`/api/queue/jobs/{jobId}`); `routerPath` overrides it where the router needs
 * another pattern (a multi-segment artifact name).
 */
export interface RouteDef {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  /** A RegExp's named groups become the path params (for a segment that must not match a sibling route). */
  routerPath?: string | RegExp;
  summary: string;
  tag: string;
  access: Access;
  /** When the request can conflict with the current state (409), e.g. cancelling a finished job. */
  conflict?: string;
  /**
   * Creation routes: a token bucket per identity (429), shared by every such route at
   * MOONMIND_RATE_LIMIT_PER_MINUTE, or the route's own bucket at its own rate.
   */
  rateLimited?: boolean | { perMinute: (config: Config) => number; what: string };
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** Request headers the route reads, keyed by their canonical names (`Last-Event-ID`); validated too. */
  headers?: z.ZodObject;
  /** A JSON body (read, at most 1 MB); parsed with the schema unless `parseBody` is false. */
  body?: z.ZodType;
  parseBody?: boolean;
  /** The body legitimately holds a credential (sign-in); otherwise user bodies with one are refused. */
  acceptsCredential?: boolean;
  /** A raw streamed body (artifact uploads). */
  rawBody?: { description: string };
  responses: Record<number, ResponseDef>;
  handler(ctx: ApiContext, deps: ApiDeps): Promise<void>;
}

export const defineRoutes = (routes: RouteDef[]) => routes;

/** The validated input of a request, typed by the route's schemas. */
export const input = <
  P = Record<string, string>,
  Q = Record<string, unknown>,
  B = unknown,
  H = Record<string, unknown>,
>(
  ctx: ApiContext,
) => ctx.state.input as { params: P; query: Q; body: B; headers: H };
