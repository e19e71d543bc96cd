import { randomUUID } from 'node:crypto';
import type { LiveSessionView } from '../../contracts/live-session.ts';
import { isTerminal } from '../../contracts/status.ts';
import {
  closeSession,
  countOpenOnHost,
  createSession,
  type LiveSessionRow,
  latestSession,
  openSession,
  patchSession,
} from '../../db/live-sessions.ts';
import type { UserIdentity } from '../auth/identity.ts';
import type { ApiDeps } from '../context.ts';
import { conflict, validationFailed } from '../errors.ts';
import { sendControl } from '../jobs/control.ts';
import { loadJob } from '../jobs/detail.ts';
import { recordLiveEvent } from './events.ts';

/**
 * What the REST routes, the sockets and the sweep do to a session: each change is stored, becomes a job event
 * with its actor, reaches the worker as a frame where it must, and every viewer as a `session` frame.
 */
export type LiveDeps = Pick<ApiDeps, 'sql' | 'config' | 'client' | 'logger' | 'live'>;

export const SYSTEM = 'system';

/** A session with nobody holding write and no takeover (revoke, expiry, hand-back). */
const NO_GRANT = {
  writeHolder: null,
  writeGrantedAt: null,
  writeExpiresAt: null,
  takeoverActor: null,
  takeoverStartedAt: null,
  takeoverExpiresAt: null,
  shellOpen: false,
} as const;

const noOpenSession = () => conflict('no open live session for this job: start one first');
const minutesLater = (minutes: number) => new Date(Date.now() + minutes * 60_000);

export async function currentView(deps: LiveDeps, jobId: string): Promise<LiveSessionView> {
  return deps.live.view(jobId, await latestSession(deps.sql, jobId));
}

/** Remember and publish a changed session (null: it was closed meanwhile, so read what it is now). */
async function changed(deps: LiveDeps, jobId: string, row: LiveSessionRow | null): Promise<LiveSessionView> {
  const now = row ?? (await latestSession(deps.sql, jobId));
  deps.live.update(jobId, now);
  return deps.live.view(jobId, now);
}

/** 409 when the worker host carries its MOONMIND_LIVE_SESSIONS_PER_WORKER open sessions already. */
async function checkCapacity(deps: LiveDeps, jobId: string): Promise<string | null> {
  const worker = deps.live.worker(jobId);
  if (!worker?.hostId) return null;
  if (worker.maxSessions === 0)
    throw conflict(`live sessions are off on worker ${worker.hostId} (MOONMIND_LIVE_SESSIONS_PER_WORKER=0)`);
  const open = await countOpenOnHost(deps.sql, worker.hostId, jobId);
  if (open >= worker.maxSessions)
    throw conflict(
      `worker ${worker.hostId} already carries ${open} live sessions (MOONMIND_LIVE_SESSIONS_PER_WORKER=${worker.maxSessions})`,
    );
  return worker.hostId;
}

/**
 * The job's open session, created (STARTING) when there is none; a worker socket already attached is told
 * to start at once. `checked`: the caller already knows the run is running (a worker's hello, a takeover).
 */
export async function ensureSession(
  deps: LiveDeps,
  jobId: string,
  actor: string,
  checked = false,
): Promise<{ view: LiveSessionView; row: LiveSessionRow; created: boolean }> {
  const open = await openSession(deps.sql, jobId);
  if (open) return { view: deps.live.view(jobId, open), row: open, created: false };
  if (!checked) {
    const { view } = await loadJob(deps, jobId);
    if (isTerminal(view.status)) throw conflict(`cannot start a live session: the run is ${view.status}`);
    // A worker's socket proves a step runs even before the run's own state says it started.
    if (view.startedAt === null && !deps.live.worker(jobId)?.hostId)
      throw conflict('cannot start a live session: the run has not started');
  }
  const workerHost = await checkCapacity(deps, jobId);
  const { row, created } = await createSession(deps.sql, {
    id: randomUUID(),
    jobId,
    createdBy: actor,
    workerHost,
    ttlMinutes: deps.config.MOONMIND_LIVE_SESSION_TTL_MINUTES,
  });
  if (created) {
    await recordLiveEvent(deps.sql, jobId, 'created', actor, `live session started by ${actor}`, {
      sessionId: row.id,
    });
    deps.live.toWorker(jobId, { t: 'start', sessionId: row.id });
  }
  return { view: await changed(deps, jobId, row), row, created };
}

/** Minutes of a grant: the default, or what was asked within MOONMIND_LIVE_SESSION_WRITE_MAX_MINUTES (400). */
function grantMinutes(deps: LiveDeps, minutes: number | undefined): number {
  const max = deps.config.MOONMIND_LIVE_SESSION_WRITE_MAX_MINUTES;
  if (minutes !== undefined && minutes > max)
    throw validationFailed([
      { path: 'minutes', message: `must be at most ${max} (MOONMIND_LIVE_SESSION_WRITE_MAX_MINUTES)` },
    ]);
  return minutes ?? deps.config.MOONMIND_LIVE_SESSION_WRITE_MINUTES;
}

async function grant(
  deps: LiveDeps,
  row: LiveSessionRow,
  actor: string,
  minutes: number,
  takeover: boolean,
): Promise<LiveSessionRow | null> {
  const now = new Date();
  const expiresAt = minutesLater(minutes);
  const updated = await patchSession(deps.sql, row.id, {
    writeHolder: actor,
    writeGrantedAt: now,
    writeExpiresAt: expiresAt,
    ...(takeover ? { takeoverActor: actor, takeoverStartedAt: now, takeoverExpiresAt: expiresAt } : {}),
  });
  if (!updated) throw noOpenSession();
  await recordLiveEvent(
    deps.sql,
    row.jobId,
    'write_granted',
    actor,
    `write access granted to ${actor} for ${minutes} min`,
    {
      sessionId: row.id,
      expiresAt: expiresAt.toISOString(),
    },
  );
  deps.live.toWorker(row.jobId, { t: 'grant', actor, expiresAt: expiresAt.toISOString() });
  return updated;
}

export async function grantWrite(
  deps: LiveDeps,
  user: UserIdentity,
  jobId: string,
  minutes: number | undefined,
): Promise<LiveSessionView> {
  const span = grantMinutes(deps, minutes);
  const row = await openSession(deps.sql, jobId);
  if (!row) throw noOpenSession();
  return changed(deps, jobId, await grant(deps, row, user.name, span, false));
}

/**
 * End the write grant (and a takeover riding on it: its shell closes, the run stays paused). `how` names
 * the event: an operator's revoke or the grant running out.
 */
export async function dropGrant(
  deps: LiveDeps,
  row: LiveSessionRow,
  actor: string,
  how: 'write_revoked' | 'write_expired',
): Promise<LiveSessionView> {
  const updated = await patchSession(deps.sql, row.id, NO_GRANT);
  const holder = row.writeHolder ?? 'nobody';
  let message =
    how === 'write_revoked'
      ? `write access of ${holder} revoked by ${actor}`
      : `write access of ${holder} expired`;
  if (row.takeoverActor) {
    deps.live.toWorker(row.jobId, { t: 'shell', open: false });
    message += `; the takeover by ${row.takeoverActor} ended without a hand-back, so its shell is closed and the run stays paused (resume it when ready)`;
  }
  await recordLiveEvent(deps.sql, row.jobId, how, actor, message, {
    sessionId: row.id,
    holder: row.writeHolder,
  });
  deps.live.toWorker(row.jobId, { t: 'grant', actor: null, expiresAt: null });
  return changed(deps, row.jobId, updated);
}

/** Close the session for good: the worker stops streaming, viewers see the final state. */
export async function endSession(
  deps: LiveDeps,
  row: LiveSessionRow,
  state: 'REVOKED' | 'ENDED' | 'ERROR',
  actor: string,
  reason: string,
): Promise<LiveSessionView> {
  const closed = await closeSession(deps.sql, row.id, state, reason);
  if (closed) {
    await recordLiveEvent(
      deps.sql,
      row.jobId,
      state === 'ERROR' ? 'error' : 'ended',
      actor,
      `live session ${state}: ${reason}`,
      {
        sessionId: row.id,
        state,
      },
    );
    if (row.writeHolder) deps.live.toWorker(row.jobId, { t: 'grant', actor: null, expiresAt: null });
    if (row.takeoverActor) deps.live.toWorker(row.jobId, { t: 'shell', open: false });
    deps.live.toWorker(row.jobId, { t: 'stop', reason });
  }
  return changed(deps, row.jobId, closed);
}

export async function revoke(
  deps: LiveDeps,
  user: UserIdentity,
  jobId: string,
  session: boolean,
): Promise<LiveSessionView> {
  const row = await openSession(deps.sql, jobId);
  if (!row) throw noOpenSession();
  if (session) return endSession(deps, row, 'REVOKED', user.name, `revoked by ${user.name}`);
  // Nothing granted: nothing to revoke, the answer is the same.
  if (!row.writeHolder) return deps.live.view(jobId, row);
  return dropGrant(deps, row, user.name, 'write_revoked');
}

/**
 * Take the run over: a hard pause the workflow decides (its 409 when refused), the session (created if
 * needed), write access for `minutes`, and a shell beside the stopped agent.
 */
export async function takeover(
  deps: LiveDeps,
  user: UserIdentity,
  jobId: string,
  minutes: number | undefined,
): Promise<LiveSessionView> {
  const span = grantMinutes(deps, minutes);
  // A worker with no room for the session refuses before the run is paused for nothing.
  if (!(await openSession(deps.sql, jobId))) await checkCapacity(deps, jobId);
  await sendControl(deps, user, jobId, { action: 'takeover', mode: 'hard' });
  const { row } = await ensureSession(deps, jobId, user.name, true);
  const updated = await grant(deps, row, user.name, span, true);
  await recordLiveEvent(deps.sql, jobId, 'takeover', user.name, `${user.name} took the run over`, {
    sessionId: row.id,
  });
  deps.live.toWorker(jobId, { t: 'shell', open: true, actor: user.name });
  return changed(deps, jobId, updated);
}

/**
 * Hand back: the shell closes, the summary becomes an event and an operator message (into the next step's
 * prompt), and the run resumes.
 */
export async function handBack(
  deps: LiveDeps,
  user: UserIdentity,
  jobId: string,
  summary: string,
): Promise<LiveSessionView> {
  const row = await openSession(deps.sql, jobId);
  if (!row?.takeoverActor) throw conflict('no takeover is active for this job');
  deps.live.toWorker(jobId, { t: 'shell', open: false });
  deps.live.toWorker(jobId, { t: 'grant', actor: null, expiresAt: null });
  const updated = await patchSession(deps.sql, row.id, NO_GRANT);
  await recordLiveEvent(deps.sql, jobId, 'hand_back', user.name, `${user.name} handed the run back`, {
    sessionId: row.id,
    summary,
  });
  const view = await changed(deps, jobId, updated);
  await sendControl(deps, user, jobId, {
    action: 'message',
    message: `Operator takeover summary from ${user.name}: ${summary}`,
  });
  await sendControl(deps, user, jobId, { action: 'resume' });
  return view;
}
