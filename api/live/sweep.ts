import { closeSession, type LiveSessionRow, openSessions, patchSession } from '../../db/live-sessions.ts';
import { describeJob } from '../jobs/temporal.ts';
import { dropGrant, endSession, type LiveDeps, SYSTEM } from './actions.ts';
import { recordLiveEvent } from './events.ts';

/** How often grants, TTLs and links are checked and workers pinged. */
export const SWEEP_MS = 5_000;
/** A session no step has streamed yet with no worker socket, or a worker silent to pings, this long is in ERROR. */
export const NO_WORKER_MS = 30_000;

/**
 * One pass over the open sessions: TTL passed or run finished → ENDED; a write grant or takeover run out →
 * dropped; never streamed and no worker socket for NO_WORKER_MS → ERROR. Then the worker sockets are pinged (a silent one is
 * dropped, which puts its session in ERROR) and drained stale viewers resynced. `now`: tests look ahead.
 */
export async function sweep(deps: LiveDeps, now = Date.now()): Promise<void> {
  for (const row of await openSessions(deps.sql)) {
    try {
      await sweepOne(deps, row, now);
    } catch (err) {
      deps.logger.warn({ jobId: row.jobId, err: (err as Error).message }, 'live session sweep failed');
    }
  }
  for (const jobId of deps.live.jobIds()) {
    const worker = deps.live.worker(jobId);
    if (worker && now - worker.lastPongAt > NO_WORKER_MS) worker.ws.terminate();
    else if (worker) worker.ws.ping();
    deps.live.resyncDrained(jobId);
  }
}

async function sweepOne(deps: LiveDeps, row: LiveSessionRow, now: number): Promise<void> {
  if (row.expiresAt.getTime() <= now) {
    await endSession(deps, row, 'ENDED', SYSTEM, 'its TTL (MOONMIND_LIVE_SESSION_TTL_MINUTES) passed');
    return;
  }
  const summary = await describeJob(deps.client, row.jobId);
  if (summary?.executionStatus !== 'RUNNING') {
    await endSession(deps, row, 'ENDED', SYSTEM, 'the run finished');
    return;
  }
  const worker = deps.live.worker(row.jobId);
  // Only a session that never streamed waits for a worker against the clock: one that did stays open between
  // steps (and through a pause at a safe point); a lost link already put it in ERROR when its socket closed.
  if (!worker) {
    const since = Math.max(row.createdAt.getTime(), deps.live.workerGoneAt(row.jobId) ?? 0);
    if (row.readyAt === null && now - since > NO_WORKER_MS) {
      await endSession(deps, row, 'ERROR', SYSTEM, `no worker attached for ${NO_WORKER_MS / 1000} s`);
      return;
    }
  } else if (worker.lastPongAt > (row.lastHeartbeatAt?.getTime() ?? 0)) {
    deps.live.update(
      row.jobId,
      await patchSession(deps.sql, row.id, { lastHeartbeatAt: new Date(worker.lastPongAt) }),
    );
  }
  const expired = (at: Date | null) => at !== null && at.getTime() <= now;
  if (expired(row.takeoverExpiresAt) || expired(row.writeExpiresAt))
    await dropGrant(deps, row, SYSTEM, 'write_expired');
}

/** Sessions a previous API process left open have lost their sockets: ERROR, said so in their events. */
export async function closeOrphans(deps: LiveDeps): Promise<void> {
  for (const row of await openSessions(deps.sql)) {
    const reason = 'relay restarted: the API process that carried it stopped';
    if (await closeSession(deps.sql, row.id, 'ERROR', reason))
      await recordLiveEvent(deps.sql, row.jobId, 'error', SYSTEM, `live session ERROR: ${reason}`, {
        sessionId: row.id,
        state: 'ERROR',
      });
  }
}

/** The sweep every SWEEP_MS until stopped; passes never overlap. */
export function startSweep(deps: LiveDeps): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running
      .then(() => sweep(deps))
      .catch((err) => deps.logger.warn({ err: (err as Error).message }, 'live session sweep failed'));
  }, SWEEP_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
