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
const check = async (fn: () => Promise<string | undefined>): Promise<Check> => {
  try {
    const detail = await within(3_000, fn());
    return detail ? { ok: true, detail } : { ok: true };
  } catch (err) {
    return { ok: false, detail: (err as Error).message.slice(0, 200) };
  }
};

/** Temporal and Postgres reachable, no pending migration, and some worker pool polling its queue. */
async function readiness(deps: ApiDeps): Promise<Record<string, Check>> {
  const [temporal, postgres, migrations, workers] = await Promise.all([
    check(async () => {
      await deps.client.workflowService.getSystemInfo({});
      return undefined;
    }),
    check(async () => {
      await deps.sql`SELECT 1`;
      return undefined;
    }),
    check(async () => {
      const { pending } = await migrationStatus(deps.sql);
      if (pending.length) throw new Error(`pending: ${pending.join(', ')}`);
      return undefined;
    }),
    check(async () => {
      const pools = await poolViews(deps.sql, deps.client);
      const live = pools.filter((p) => p.pollers.some(isLive));
      if (live.length === 0) throw new Error('no worker pool is polling');
      return live.map((p) => p.pool).join(', ');
    }),
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
