import type { Middleware } from 'koa';
import { identityKey } from '../auth/identity.ts';
import type { ApiState } from '../context.ts';
import { HttpError } from '../errors.ts';

/**
 * A token bucket per identity for creation routes: `perMinute` requests of burst, refilled at `perMinute`/60
 * per second. In memory: one API process holds the buckets (a restart forgives everyone).
 */
export function createRateLimiter(perMinute: number, message = 'too many requests, slow down') {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refillPerMs = perMinute / 60_000;
  return function rateLimit(): Middleware<ApiState> {
    return async (ctx, next) => {
      const key = ctx.state.identity ? identityKey(ctx.state.identity) : `ip:${ctx.ip}`;
      const now = Date.now();
      const b = buckets.get(key) ?? { tokens: perMinute, at: now };
      b.tokens = Math.min(perMinute, b.tokens + (now - b.at) * refillPerMs);
      b.at = now;
      if (b.tokens < 1) {
        buckets.set(key, b);
        const wait = Math.ceil((1 - b.tokens) / refillPerMs / 1000);
        throw new HttpError('rate_limited', message, undefined, {
          'Retry-After': String(wait),
        });
      }
      b.tokens -= 1;
      // Full buckets carry no state: drop them now and then so the map stays small.
      if (buckets.size > 10_000)
        for (const [k, v] of buckets)
          if (v.tokens + (now - v.at) * refillPerMs >= perMinute) buckets.delete(k);
      buckets.set(key, b);
      await next();
    };
  };
}
