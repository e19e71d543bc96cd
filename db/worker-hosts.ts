import type { Sql } from './client.ts';

/**
 * Worker host liveness, below both the API (registration, pings, the host monitor, /readyz) and the
 * control worker (routing): a host is alive while it pings; the monitor marks it lost after a silence.
 */
export interface HostAttempt {
  jobId: string;
  attempt: number;
}

/** A host registered (or registered again): alive now, whatever it was. */
export async function upsertHost(
  sql: Sql,
  host: { hostId: string; taskQueue: string; hostQueue: string },
): Promise<void> {
  await sql`
    INSERT INTO worker_hosts (host_id, task_queue, host_queue) VALUES (${host.hostId}, ${host.taskQueue}, ${host.hostQueue})
    ON CONFLICT (host_id) DO UPDATE SET task_queue = EXCLUDED.task_queue, host_queue = EXCLUDED.host_queue,
      seen_at = now(), lost_at = NULL`;
}

/**
 * A ping from a host registered under this token (`leaving`: its last, as it shuts down): whether the host
 * had been counted lost; `unknown` for a host never registered (the worker then registers again),
 * `foreign` for one registered under another token.
 */
export async function recordPing(
  sql: Sql,
  tokenId: string | null,
  hostId: string,
  attempts: HostAttempt[],
  leaving = false,
): Promise<{ wasLost: boolean } | 'unknown' | 'foreign'> {
  const [row] = await sql<{ wasLost: boolean }[]>`
    UPDATE worker_hosts h SET seen_at = now(), attempts = ${sql.json(attempts as never)},
      lost_at = ${leaving ? sql`now()` : null}
    FROM worker_hosts before, worker_pools p
    WHERE h.host_id = ${hostId} AND before.host_id = h.host_id AND p.task_queue = h.task_queue
      AND p.token_id IS NOT DISTINCT FROM ${tokenId}
    RETURNING before.lost_at IS NOT NULL AS "wasLost"`;
  if (row) return row;
  const [known] = await sql`SELECT 1 FROM worker_hosts WHERE host_id = ${hostId}`;
  return known ? 'foreign' : 'unknown';
}

/** Hosts not yet counted lost whose last ping is older than `silentMs`, with the attempts they ran. */
export async function silentHosts(
  sql: Sql,
  silentMs: number,
): Promise<{ hostId: string; silentMs: number; attempts: HostAttempt[] }[]> {
  return sql<{ hostId: string; silentMs: number; attempts: HostAttempt[] }[]>`
    SELECT host_id AS "hostId", attempts,
      (extract(epoch FROM now() - seen_at) * 1000)::int AS "silentMs"
    FROM worker_hosts
    WHERE lost_at IS NULL AND seen_at < now() - make_interval(secs => ${silentMs / 1000})`;
}

/** Count a host lost (unless it pinged meanwhile). */
export async function markLost(sql: Sql, hostId: string, silentMs: number): Promise<boolean> {
  const rows = await sql`
    UPDATE worker_hosts SET lost_at = now()
    WHERE host_id = ${hostId} AND lost_at IS NULL AND seen_at < now() - make_interval(secs => ${silentMs / 1000})
    RETURNING host_id`;
  return rows.length > 0;
}

/** Pool queues that have hosts and none of them alive: routing skips them, /readyz says so. */
export async function lostPools(sql: Sql): Promise<Set<string>> {
  const rows = await sql<{ taskQueue: string }[]>`
    SELECT task_queue AS "taskQueue" FROM worker_hosts GROUP BY task_queue HAVING bool_and(lost_at IS NOT NULL)`;
  return new Set(rows.map((r) => r.taskQueue));
}
