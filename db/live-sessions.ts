import type { LiveSessionState } from '../contracts/live-session.ts';
import type { Sql } from './client.ts';

/** A stored live session (migration 011); the API's relay turns it into the contract's view. */
export interface LiveSessionRow {
  id: string;
  jobId: string;
  state: Exclude<LiveSessionState, 'DISABLED'>;
  reason: string | null;
  workerHost: string | null;
  createdBy: string;
  createdAt: Date;
  readyAt: Date | null;
  endedAt: Date | null;
  expiresAt: Date;
  lastHeartbeatAt: Date | null;
  writeHolder: string | null;
  writeGrantedAt: Date | null;
  writeExpiresAt: Date | null;
  takeoverActor: string | null;
  takeoverStartedAt: Date | null;
  takeoverExpiresAt: Date | null;
  shellOpen: boolean;
  recording: string | null;
}

const columns = (sql: Sql) => sql`
  id::text AS id, job_id::text AS "jobId", state, reason, worker_host AS "workerHost", created_by AS "createdBy",
  created_at AS "createdAt", ready_at AS "readyAt", ended_at AS "endedAt", expires_at AS "expiresAt",
  last_heartbeat_at AS "lastHeartbeatAt", write_holder AS "writeHolder", write_granted_at AS "writeGrantedAt",
  write_expires_at AS "writeExpiresAt", takeover_actor AS "takeoverActor",
  takeover_started_at AS "takeoverStartedAt", takeover_expires_at AS "takeoverExpiresAt",
  shell_open AS "shellOpen", recording`;

const OPEN = ['STARTING', 'READY'];

/** The job's open session, or else its latest one (null: never had one). */
export async function latestSession(sql: Sql, jobId: string): Promise<LiveSessionRow | null> {
  const [row] = await sql<LiveSessionRow[]>`
    SELECT ${columns(sql)} FROM live_sessions WHERE job_id = ${jobId}::uuid
    ORDER BY (state IN ('STARTING', 'READY')) DESC, created_at DESC LIMIT 1`;
  return row ?? null;
}

export async function openSession(sql: Sql, jobId: string): Promise<LiveSessionRow | null> {
  const [row] = await sql<LiveSessionRow[]>`
    SELECT ${columns(sql)} FROM live_sessions WHERE job_id = ${jobId}::uuid AND state IN ${sql(OPEN)}`;
  return row ?? null;
}

export async function openSessions(sql: Sql): Promise<LiveSessionRow[]> {
  return sql<LiveSessionRow[]>`SELECT ${columns(sql)} FROM live_sessions WHERE state IN ${sql(OPEN)}`;
}

/** Open sessions a worker host carries (other than the job's own), against its MOONMIND_LIVE_SESSIONS_PER_WORKER. */
export async function countOpenOnHost(sql: Sql, hostId: string, exceptJobId: string): Promise<number> {
  const [{ n }] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM live_sessions
    WHERE worker_host = ${hostId} AND state IN ${sql(OPEN)} AND job_id <> ${exceptJobId}::uuid`;
  return n;
}

/**
 * The job's open session, created when there is none (the partial unique index makes a concurrent create
 * insert nothing). `created` says whether this call made it.
 */
export async function createSession(
  sql: Sql,
  s: { id: string; jobId: string; createdBy: string; workerHost: string | null; ttlMinutes: number },
): Promise<{ row: LiveSessionRow; created: boolean }> {
  const [row] = await sql<LiveSessionRow[]>`
    INSERT INTO live_sessions (id, job_id, state, created_by, worker_host, expires_at)
    VALUES (${s.id}::uuid, ${s.jobId}::uuid, 'STARTING', ${s.createdBy}, ${s.workerHost},
      now() + make_interval(mins => ${s.ttlMinutes}))
    ON CONFLICT (job_id) WHERE state IN ('STARTING', 'READY') DO NOTHING
    RETURNING ${columns(sql)}`;
  if (row) return { row, created: true };
  const open = await openSession(sql, s.jobId);
  if (!open) throw new Error('live session vanished while being created');
  return { row: open, created: false };
}

export type SessionPatch = Partial<
  Pick<
    LiveSessionRow,
    | 'reason'
    | 'workerHost'
    | 'writeHolder'
    | 'writeGrantedAt'
    | 'writeExpiresAt'
    | 'takeoverActor'
    | 'takeoverStartedAt'
    | 'takeoverExpiresAt'
    | 'shellOpen'
    | 'recording'
    | 'lastHeartbeatAt'
  >
>;

const columnOf: Record<keyof SessionPatch, string> = {
  reason: 'reason',
  workerHost: 'worker_host',
  writeHolder: 'write_holder',
  writeGrantedAt: 'write_granted_at',
  writeExpiresAt: 'write_expires_at',
  takeoverActor: 'takeover_actor',
  takeoverStartedAt: 'takeover_started_at',
  takeoverExpiresAt: 'takeover_expires_at',
  shellOpen: 'shell_open',
  recording: 'recording',
  lastHeartbeatAt: 'last_heartbeat_at',
};

/** Change an open session; null when it is no longer open (closed meanwhile). */
export async function patchSession(
  sql: Sql,
  id: string,
  patch: SessionPatch,
): Promise<LiveSessionRow | null> {
  const set = Object.fromEntries(
    Object.entries(patch).map(([k, v]) => [columnOf[k as keyof SessionPatch], v]),
  );
  const [row] = await sql<LiveSessionRow[]>`
    UPDATE live_sessions SET ${sql(set)} WHERE id = ${id}::uuid AND state IN ${sql(OPEN)}
    RETURNING ${columns(sql)}`;
  return row ?? null;
}

/** STARTING → READY (null when it was not STARTING: `ready` again on a later step). */
export async function markReady(sql: Sql, id: string, workerHost: string): Promise<LiveSessionRow | null> {
  const [row] = await sql<LiveSessionRow[]>`
    UPDATE live_sessions SET state = 'READY', ready_at = now(), worker_host = ${workerHost}
    WHERE id = ${id}::uuid AND state = 'STARTING' RETURNING ${columns(sql)}`;
  return row ?? null;
}

/** Close an open session (null when it was already closed): the grant and the takeover end with it. */
export async function closeSession(
  sql: Sql,
  id: string,
  state: 'REVOKED' | 'ENDED' | 'ERROR',
  reason: string,
): Promise<LiveSessionRow | null> {
  const [row] = await sql<LiveSessionRow[]>`
    UPDATE live_sessions SET state = ${state}, reason = ${reason}, ended_at = now(),
      write_holder = NULL, write_granted_at = NULL, write_expires_at = NULL,
      takeover_actor = NULL, takeover_started_at = NULL, takeover_expires_at = NULL, shell_open = false
    WHERE id = ${id}::uuid AND state IN ${sql(OPEN)} RETURNING ${columns(sql)}`;
  return row ?? null;
}
