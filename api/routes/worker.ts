import { z } from 'zod';
import type { WorkerIdentity } from '../auth/identity.ts';
import { registrationOutsideScope } from '../auth/scope.ts';
import { forbidden } from '../errors.ts';
import { type Registration, registerPool, registrationSchema, wakeQueuedRuns } from '../pools.ts';
import { defineRoutes, input } from './table.ts';

export const workerRoutes = defineRoutes([
  {
    method: 'post',
    path: '/api/worker/register',
    summary: 'Register (or refresh) a worker host of a pool; queued runs re-check routing when it is new',
    tag: 'worker',
    access: 'worker',
    body: registrationSchema,
    responses: {
      200: { description: 'registered', schema: z.object({ ok: z.boolean(), changed: z.boolean() }) },
    },
    async handler(ctx, deps) {
      const worker = ctx.state.identity as WorkerIdentity;
      const reg = input<never, never, Registration>(ctx).body;
      const outside = registrationOutsideScope(worker.scope, reg);
      if (outside) throw forbidden(outside);
      const changed = await registerPool(deps.sql, worker.tokenId, reg);
      if (changed) {
        // Not awaited: waking runs must not delay (or fail) the registration.
        wakeQueuedRuns(deps.client)
          .then((n) => deps.logger.info({ pool: reg.pool, woken: n }, 'pool registered; queued runs woken'))
          .catch((err) => deps.logger.warn({ err: (err as Error).message }, 'waking queued runs failed'));
      }
      ctx.body = { ok: true, changed };
    },
  },
]);
