import { z } from 'zod';
import { recordPing } from '../../db/worker-hosts.ts';
import type { WorkerIdentity } from '../auth/identity.ts';
import { registrationOutsideScope } from '../auth/scope.ts';
import { forbidden, notFound } from '../errors.ts';
import { type Registration, registerPool, registrationSchema, wakeQueuedRuns } from '../pools.ts';
import { defineRoutes, input } from './table.ts';

const pingSchema = z.object({
  hostId: registrationSchema.shape.hostId,
  attempts: z
    .array(z.object({ jobId: z.string().min(1).max(200), attempt: z.number().int().min(1).max(1_000) }))
    .max(256),
  /** The worker is shutting down: count it gone now rather than after its silence. */
  leaving: z.boolean().optional(),
});

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
  {
    method: 'post',
    path: '/api/worker/ping',
    summary: 'A worker host is alive and runs these attempts (the host monitor fails over a silent host)',
    tag: 'worker',
    access: 'worker',
    body: pingSchema,
    responses: {
      200: { description: 'recorded', schema: z.object({ ok: z.boolean() }) },
      403: { description: 'host registered under another worker token' },
      404: { description: 'host not registered: register again' },
    },
    async handler(ctx, deps) {
      const worker = ctx.state.identity as WorkerIdentity;
      const ping = input<never, never, z.infer<typeof pingSchema>>(ctx).body;
      const seen = await recordPing(deps.sql, worker.tokenId, ping.hostId, ping.attempts, ping.leaving);
      if (seen === 'unknown') throw notFound(`host ${ping.hostId}`);
      if (seen === 'foreign') throw forbidden(`host ${ping.hostId} is registered under another worker token`);
      if (ping.leaving) deps.logger.info({ hostId: ping.hostId }, `worker ${ping.hostId} is shutting down`);
      else if (seen.wasLost) deps.logger.info({ hostId: ping.hostId }, `worker ${ping.hostId} is back`);
      ctx.body = { ok: true };
    },
  },
]);
