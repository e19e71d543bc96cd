import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { ApiDeps, ApiState } from './context.ts';
import { authorize, csrf } from './middleware/authorize.ts';
import { jsonBody } from './middleware/json-body.ts';
import { knownMethodList } from './middleware/methods.ts';
import { noCredentials } from './middleware/no-credentials.ts';
import { createRateLimiter } from './middleware/rate-limit.ts';
import { validate } from './middleware/validate.ts';
import type { RouteDef } from './routes/table.ts';

const routerPath = (r: RouteDef) => r.routerPath ?? r.path.replace(/\{(\w+)\}/g, ':$1');

/**
 * The router, built from the route table. Each route runs, in order: who may call it (authorize), the CSRF
 * check for cookie writes, the rate limit (creation routes), the JSON body (routes that take one), the
 * raw-credential check of user bodies, input validation, then the handler.
 */
export function buildRouter(routes: RouteDef[], deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ methods: knownMethodList });
  const rateLimit = createRateLimiter(deps.config.MOONMIND_RATE_LIMIT_PER_MINUTE);
  for (const r of routes) {
    // Public routes (health, sign-in, sign-out) act on no one's behalf, so they need no CSRF token.
    const chain: Middleware<ApiState>[] = [
      // The route template: the label of request metrics and the name of the request's trace span.
      (ctx, next) => {
        ctx.state.route = r.path;
        return next();
      },
      authorize(r.access),
    ];
    const pattern = r.routerPath;
    if (pattern instanceof RegExp)
      chain.unshift((ctx, next) => {
        (ctx as unknown as { params: Record<string, string> }).params = { ...pattern.exec(ctx.path)?.groups };
        return next();
      });
    if (r.access !== 'public') chain.push(csrf());
    if (typeof r.rateLimited === 'object') {
      const perMinute = r.rateLimited.perMinute(deps.config);
      chain.push(
        createRateLimiter(perMinute, `too many ${r.rateLimited.what}: at most ${perMinute} a minute`)(),
      );
    } else if (r.rateLimited) chain.push(rateLimit());
    if (r.body) chain.push(jsonBody());
    if (r.body && r.access !== 'worker' && !r.acceptsCredential) chain.push(noCredentials());
    chain.push(
      validate({
        params: r.params,
        query: r.query,
        headers: r.headers,
        body: r.parseBody === false ? undefined : r.body,
      }),
    );
    chain.push((ctx) => r.handler(ctx, deps));
    router[r.method](routerPath(r), ...(chain as Parameters<Router<ApiState>['get']>[1][]));
  }
  return router;
}
