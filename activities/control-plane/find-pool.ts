import type { Client } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common';
import type { FindPoolInput, FindPoolResult } from '../../contracts/activities.ts';
import type { Sql } from '../../db/client.ts';
import { lostPools } from '../../db/worker-hosts.ts';
import { eligiblePools, type PoolRow } from './eligibility.ts';

/** A pool counts as serving when one of its workers polled its queue this recently. */
const LIVE_POLLER_WINDOW_MS = 90_000;
// temporal.api.enums.v1 TASK_QUEUE_KIND_NORMAL and TASK_QUEUE_TYPE_ACTIVITY.
const KIND_NORMAL = 1;
const TYPE_ACTIVITY = 2;

interface QueueLiveness {
  live: boolean;
  backlog: number;
}

/** Live pollers (and backlog) of an activity task queue, as Temporal sees them. */
async function describeQueue(client: Client, taskQueue: string): Promise<QueueLiveness> {
  const res = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: KIND_NORMAL },
    taskQueueType: TYPE_ACTIVITY,
    reportStats: true,
  });
  const since = Date.now() - LIVE_POLLER_WINDOW_MS;
  const live = (res.pollers ?? []).some((p) => (optionalTsToMs(p.lastAccessTime) ?? 0) >= since);
  return { live, backlog: Number(res.stats?.approximateBacklogCount ?? 0) };
}

type PoolWithHosts = PoolRow & { hosts: Record<string, { hostQueue?: string }> | null };

/**
 * A pool is serving when its pool queue has pollers, or any of its hosts' queues has: a full host stops
 * polling the pool queue (run slots) but keeps polling its own queue, and a full pool must still get
 * `prepare` tasks queued so Temporal's priority order decides who gets the next free slot.
 */
async function poolLiveness(client: Client, pool: PoolWithHosts): Promise<QueueLiveness> {
  const own = await describeQueue(client, pool.taskQueue);
  if (own.live) return own;
  for (const host of Object.values(pool.hosts ?? {})) {
    if (host.hostQueue && (await describeQueue(client, host.hostQueue)).live) return { ...own, live: true };
  }
  return own;
}

/**
 * Route a job: eligible pools (policy + capabilities) that have live workers, other than pools that
 * failed this run when there is a choice; among them the pool that last ran the job's affinity key, else
 * the one with the smallest backlog. When none qualifies the run
 * stays queued with the returned reason.
 */
export async function findPool(sql: Sql, client: Client, input: FindPoolInput): Promise<FindPoolResult> {
  const pools = await sql<PoolWithHosts[]>`
    SELECT task_queue AS "taskQueue", pool, capabilities, job_types AS "jobTypes", repositories, hosts
    FROM worker_pools ORDER BY task_queue`;
  const { eligible, reason } = eligiblePools(pools, input);
  if (reason) return { reason };

  // Pollers linger after a worker dies; the host monitor's verdict is quicker.
  const lost = await lostPools(sql);
  const checked = await Promise.all(
    eligible.map(async (p) =>
      lost.has(p.taskQueue)
        ? { ...p, live: false, backlog: 0 }
        : { ...p, ...(await poolLiveness(client, p)) },
    ),
  );
  const live = checked.filter((p) => p.live);
  if (live.length === 0) {
    const names = eligible.map((p) => p.pool).join(', ');
    const why = eligible.every((p) => lost.has(p.taskQueue))
      ? 'every worker of it is lost'
      : 'no worker is polling';
    return { reason: `worker pool ${names} is registered for ${input.repository} but ${why}` };
  }

  // A pool that just failed this run may still look live (pollers linger): try the others first.
  const avoid = new Set(input.avoidTaskQueues ?? []);
  const fresh = live.filter((p) => !avoid.has(p.taskQueue));
  const candidates = (fresh.length > 0 ? fresh : live).sort((a, b) => a.backlog - b.backlog);
  let chosen = candidates[0];
  if (input.affinityKey) {
    const [row] = await sql<{ taskQueue: string }[]>`
      SELECT task_queue AS "taskQueue" FROM pool_affinity WHERE affinity_key = ${input.affinityKey}`;
    chosen = candidates.find((p) => p.taskQueue === row?.taskQueue) ?? chosen;
    await sql`
      INSERT INTO pool_affinity (affinity_key, task_queue) VALUES (${input.affinityKey}, ${chosen.taskQueue})
      ON CONFLICT (affinity_key) DO UPDATE SET task_queue = EXCLUDED.task_queue, updated_at = now()`;
  }
  return { taskQueue: chosen.taskQueue, pool: chosen.pool };
}
