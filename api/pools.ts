import type { Client } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common';
import { z } from 'zod';
import { searchAttributes as sa } from '../contracts/search-attributes.ts';
import type { Sql } from '../db/client.ts';
import { lostPools, upsertHost } from '../db/worker-hosts.ts';
import { poolsChangedSignal } from '../workflows/messages.ts';

const name = z.string().trim().min(1).max(200);
export const registrationSchema = z.object({
  taskQueue: name,
  pool: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits, dashes'),
  hostId: name,
  hostQueue: name,
  capabilities: z.array(name).min(1),
  jobTypes: z.array(name).min(1),
  repositories: z.array(name).min(1),
});
export type Registration = z.infer<typeof registrationSchema>;

const sorted = (xs: string[]) => [...new Set(xs.map((x) => x.trim().toLowerCase()))].sort();

/**
 * Upsert a pool's registration (keyed by its task queue) and its host. Returns whether routing may see
 * something new: a new pool, a changed policy or capability set, or a host it did not know.
 */
export async function registerPool(sql: Sql, tokenId: string | null, reg: Registration): Promise<boolean> {
  const capabilities = sorted(reg.capabilities);
  const jobTypes = sorted(reg.jobTypes);
  const repositories = [...new Set(reg.repositories.map((r) => r.trim()))].sort();
  const host = { hostQueue: reg.hostQueue, registeredAt: new Date().toISOString() };
  await upsertHost(sql, { hostId: reg.hostId, taskQueue: reg.taskQueue, hostQueue: reg.hostQueue });
  return sql.begin(async (tx) => {
    const [before] = await tx<
      {
        capabilities: string[];
        jobTypes: string[];
        repositories: string[];
        hosts: Record<string, { hostQueue: string }>;
      }[]
    >`
      SELECT capabilities, job_types AS "jobTypes", repositories, hosts FROM worker_pools
      WHERE task_queue = ${reg.taskQueue} FOR UPDATE`;
    await tx`
      INSERT INTO worker_pools (task_queue, pool, capabilities, job_types, repositories, token_id, hosts)
      VALUES (${reg.taskQueue}, ${reg.pool}, ${capabilities}, ${jobTypes}, ${repositories}, ${tokenId},
              ${tx.json({ [reg.hostId]: host })})
      ON CONFLICT (task_queue) DO UPDATE SET pool = EXCLUDED.pool, capabilities = EXCLUDED.capabilities,
        job_types = EXCLUDED.job_types, repositories = EXCLUDED.repositories, token_id = EXCLUDED.token_id,
        hosts = worker_pools.hosts || EXCLUDED.hosts, updated_at = now()`;
    if (!before) return true;
    const same = (a: string[], b: string[]) => a.join('\n') === b.join('\n');
    return (
      !same(before.capabilities, capabilities) ||
      !same(before.jobTypes, jobTypes) ||
      !same(before.repositories, repositories) ||
      before.hosts?.[reg.hostId]?.hostQueue !== reg.hostQueue
    );
  });
}

/** Wake every queued run so it re-checks routing now (instead of on its next timer). */
export async function wakeQueuedRuns(client: Client): Promise<number> {
  let woken = 0;
  const query = `WorkflowType = 'taskRun' AND ExecutionStatus = 'Running' AND ${sa.status.name} = 'queued'`;
  for await (const wf of client.workflow.list({ query })) {
    await client.workflow
      .getHandle(wf.workflowId, wf.runId)
      .signal(poolsChangedSignal)
      .then(() => woken++)
      .catch(() => {});
  }
  return woken;
}

// temporal.api.enums.v1: TASK_QUEUE_KIND_NORMAL, TASK_QUEUE_TYPE_ACTIVITY.
const KIND_NORMAL = 1;
const TYPE_ACTIVITY = 2;
const LIVE_WINDOW_MS = 90_000;

export interface PollerView {
  identity: string;
  lastAccessTime: string | null;
}

/** The pollers Temporal currently sees on an activity task queue. */
export async function pollersOf(client: Client, taskQueue: string): Promise<PollerView[]> {
  const res = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: KIND_NORMAL },
    taskQueueType: TYPE_ACTIVITY,
  });
  return (res.pollers ?? []).map((p) => {
    const ms = optionalTsToMs(p.lastAccessTime);
    return { identity: p.identity ?? '', lastAccessTime: ms ? new Date(ms).toISOString() : null };
  });
}

export const isLive = (p: PollerView) =>
  p.lastAccessTime !== null && Date.parse(p.lastAccessTime) >= Date.now() - LIVE_WINDOW_MS;

export interface PoolView {
  pool: string;
  taskQueue: string;
  capabilities: string[];
  jobTypes: string[];
  repositories: string[];
  hosts: Record<string, unknown>;
  registeredAt: string;
  updatedAt: string;
  pollers: PollerView[];
  /** A worker polls its queue and not every host of the pool is counted lost by the host monitor. */
  live: boolean;
}

/** Registered pools with the live pollers Temporal reports for each. */
export async function poolViews(sql: Sql, client: Client): Promise<PoolView[]> {
  const rows = await sql<Omit<PoolView, 'pollers' | 'live'>[]>`
    SELECT pool, task_queue AS "taskQueue", capabilities, job_types AS "jobTypes", repositories, hosts,
      registered_at AS "registeredAt", updated_at AS "updatedAt"
    FROM worker_pools ORDER BY pool, task_queue`;
  const lost = await lostPools(sql);
  return Promise.all(
    rows.map(async (r) => {
      const pollers = await pollersOf(client, r.taskQueue).catch(() => []);
      return {
        ...r,
        registeredAt: new Date(r.registeredAt).toISOString(),
        updatedAt: new Date(r.updatedAt).toISOString(),
        pollers,
        live: pollers.some(isLive) && !lost.has(r.taskQueue),
      };
    }),
  );
}
