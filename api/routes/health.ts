import { z } from 'zod';
import { migrationStatus } from '../../db/migrate.ts';
import type { ApiDeps } from '../context.ts';
import { isLive, poolViews } from '../pools.ts';
import { okSchema } from '../schemas.ts';
import { defineRoutes } from './table.ts';

const within = <T>(ms: number, p: Promise<T>) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), ms).unref()),
  ]);

type Check = { ok: boolean; detail?: string };
/** A check's failure detail starts with `prefix` (which dependency is down). */
const check = async (prefix: string, fn: () => Promise<string | undefined>): Promise<Check> => {
  try {
    const detail = await within(3_000, fn());
    return detail ? { ok: true, detail } : { ok: true };
  } catch (err) {
    return { ok: false, detail: `${prefix}${(err as Error).message}`.slice(0, 200) };
  }
};
const skipped = (why: string): Check => ({ ok: false, detail: `not checked: ${why}` });

/**
 * Temporal and Postgres reachable, then (only when they are, so an outage is named as such and not as its
 * symptoms) no pending migration and some worker pool polling its queue.
 */
async function readiness(deps: ApiDeps): Promise<Record<string, Check>> {
  const [temporal, postgres] = await Promise.all([
    check('temporal unreachable: ', async () => {
      await deps.client.workflowService.getSystemInfo({});
      return undefined;
    }),
    check('postgres unreachable: ', async () => {
      await deps.sql`SELECT 1`;
      return undefined;
    }),
  ]);
  const [migrations, workers] = await Promise.all([
    postgres.ok
      ? check('migrations ', async () => {
          const { pending } = await migrationStatus(deps.sql);
          if (pending.length) throw new Error(`pending: ${pending.join(', ')}`);
          return undefined;
        })
      : skipped('postgres unreachable'),
    postgres.ok && temporal.ok
      ? check('', async () => {
          const pools = await poolViews(deps.sql, deps.client);
          const live = pools.filter((p) => p.live);
          if (live.length === 0) {
            const lost = pools.filter((p) => p.pollers.some(isLive)).map((p) => p.pool);
            throw new Error(
              lost.length ? `every worker of pool ${lost.join(', ')} is lost` : 'no worker pool is polling',
            );
          }
          return live.map((p) => p.pool).join(', ');
        })
      : skipped(`${postgres.ok ? 'temporal' : 'postgres'} unreachable`),
  ]);
  return { temporal, postgres, migrations, workers };
}

const checkSchema = z.object({ ok: z.boolean(), detail: z.string().optional() });

export const healthRoutes = defineRoutes([
  {
    method: 'get',
    path: '/healthz',
    summary: 'The process is alive',
    tag: 'health',
    access: 'public',
    responses: { 200: { description: 'alive', schema: okSchema } },
    async handler(ctx) {
      ctx.body = { ok: true };
    },
  },
  {
    method: 'get',
    path: '/readyz',
    summary: 'Temporal and Postgres reachable, migrations applied, a worker polling',
    tag: 'health',
    access: 'public',
    responses: {
      200: { description: 'ready', schema: okSchema.extend({ checks: z.record(z.string(), checkSchema) }) },
      503: {
        description: 'not ready (the failing checks say why)',
        schema: okSchema.extend({ checks: z.record(z.string(), checkSchema) }),
      },
    },
    async handler(ctx, deps) {
      const checks = await readiness(deps);
      const ok = Object.values(checks).every((c) => c.ok);
      ctx.status = ok ? 200 : 503;
      ctx.body = { ok, checks };
    },
  },
]);
