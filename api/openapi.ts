import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
} from 'zod-openapi';
import { MAX_HEADER_BYTES } from './client-errors.ts';
import { JSON_LIMIT_BYTES, JSON_MAX_DEPTH } from './middleware/json-body.ts';
import type { RouteDef } from './routes/table.ts';
import { errorSchema } from './schemas.ts';

const securityOf: Record<RouteDef['access'], Record<string, string[]>[]> = {
  public: [],
  viewer: [{ bearer: [] }, { session: [] }],
  operator: [{ bearer: [] }, { session: [] }],
  admin: [{ bearer: [] }, { session: [] }],
  worker: [{ workerBearer: [] }],
  proposer: [{ bearer: [] }, { session: [] }, { workerBearer: [] }],
};

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: errorSchema } },
});

/** The OpenAPI 3.1 document, generated from the route table (the same list the router is built from). */
export function openApiDocument(routes: RouteDef[]): Record<string, unknown> {
  const paths: ZodOpenApiPathsObject = {};
  for (const r of routes) {
    const responses: Record<string, ZodOpenApiResponseObject> = {};
    for (const [status, res] of Object.entries(r.responses)) {
      responses[status] = res.schema
        ? {
            description: res.description,
            content: { [res.contentType ?? 'application/json']: { schema: res.schema } },
          }
        : res.contentType
          ? { description: res.description, content: { [res.contentType]: {} } }
          : { description: res.description };
    }
    // Every status the app can answer this route with, derived from what the route table says of it.
    if (r.params || r.query || r.body || r.rawBody || r.headers)
      responses['400'] ??= error(
        `invalid input (every failing field is listed)${r.body ? `, or JSON nested over ${JSON_MAX_DEPTH} levels` : ''}`,
      );
    // Any request with a bad bearer token is refused before routing, public routes included.
    responses['401'] ??= error(
      r.access === 'public' ? 'a bad bearer token (none is needed)' : 'no or bad credentials',
    );
    if (r.access !== 'public') {
      responses['403'] = error(
        r.access === 'worker'
          ? 'not a worker token, or the job is outside its scope'
          : r.access === 'proposer'
            ? 'role too low, a missing CSRF token, or a worker token without proposals_write or outside its repository scope'
            : 'role too low, a worker token, or a missing CSRF token',
      );
    }
    if (r.params) responses['404'] = error('unknown id');
    if (r.conflict) responses['409'] = error(r.conflict);
    if (r.body || r.rawBody)
      responses['413'] = error(
        r.body ? `JSON body over ${JSON_LIMIT_BYTES} bytes` : 'body over MOONMIND_MAX_ARTIFACT_BYTES',
      );
    if (r.body) responses['415'] = error('the body is not JSON');
    if (r.rateLimited) responses['429'] = error('rate limited (see Retry-After)');
    responses['431'] = error(`request headers over ${MAX_HEADER_BYTES} bytes`);
    responses['503'] ??= error('Temporal or PostgreSQL unavailable (see Retry-After)');

    const operation: ZodOpenApiOperationObject = {
      operationId: `${r.method}${r.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
      summary: r.summary,
      tags: [r.tag],
      security: securityOf[r.access],
      responses,
    };
    if (r.params || r.query || r.headers) {
      operation.requestParams = {
        ...(r.params ? { path: r.params } : {}),
        ...(r.query ? { query: r.query } : {}),
        ...(r.headers ? { header: r.headers } : {}),
      };
    }
    // An empty body is read as `{}` (json-body.ts): optional exactly when `{}` is a valid body.
    if (r.body)
      operation.requestBody = {
        required: !r.body.safeParse({}).success,
        content: { 'application/json': { schema: r.body } },
      };
    // An empty raw body is a valid (empty) upload.
    if (r.rawBody) {
      operation.requestBody = {
        required: false,
        description: r.rawBody.description,
        content: { '*/*': { schema: { type: 'string', format: 'binary' } as never } },
      };
    }
    paths[r.path] = { ...(paths[r.path] ?? {}), [r.method]: operation };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'MoonMind control plane',
      version: '0.1.0',
      description:
        'Task runs on Temporal. User routes take a user bearer token or the mm_session cookie (cookie writes need X-CSRF-Token); worker routes take a worker token. Errors: { error: { code, message, requestId, issues? } }.',
    },
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'user API token (mm_u_…) or an OIDC JWT' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'mm_session',
          description: 'browser session from POST /api/auth/session',
        },
        workerBearer: { type: 'http', scheme: 'bearer', description: 'worker token (mm_w_…)' },
      },
    },
  }) as unknown as Record<string, unknown>;
}
