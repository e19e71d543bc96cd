import type { JobEvent } from '../../../contracts/events.ts';
import { stages } from '../../../contracts/events.ts';
import type { JobView } from '../../../contracts/job.ts';
import { isTerminal, type JobStatus, jobStatuses } from '../../../contracts/status.ts';

const num = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);
const str = (v: unknown) => (typeof v === 'string' ? v : null);
/** A live run's status once its pause is lifted: where it was (a pause overlays `awaiting_action`). */
const unpaused = (v: JobView): JobStatus =>
  v.status !== 'awaiting_action' ? v.status : v.startedAt ? 'running' : 'queued';
const modeOf = (v: unknown) => (v === 'hard' || v === 'soft' ? v : null);

/**
 * What an event tells about the job view before the API is asked again: applied at once (optimistically),
 * then confirmed by the refetch the event also triggers. Null when the event carries nothing for the view,
 * or the view is already final (only `run.finished` speaks after that).
 */
export function patchFor(v: JobView, e: JobEvent): Partial<JobView> | null {
  const p = e.payload ?? {};
  if (e.type === 'run.finished') {
    const status = str(p.status);
    if (!status || !(jobStatuses as readonly string[]).includes(status)) return null;
    return {
      status: status as JobStatus,
      finishedAt: str(p.finishedAt) ?? e.createdAt,
      error: str(p.error),
      prUrl: str(p.prUrl) ?? v.prUrl,
      branch: str(p.branch) ?? v.branch,
      paused: false,
      live: v.live && { ...v.live, paused: false, pauseMode: null, pausing: false, takeoverRequested: false },
    };
  }
  if (isTerminal(v.status)) return null;
  if (e.type.startsWith('control.') && p.ignored) return null;
  const stage = stages.find((s) => e.type === `${s}.started`);
  if (stage) return { stage };
  switch (e.type) {
    case 'task.step.started': {
      const index = num(p.stepIndex);
      if (index === null) return null;
      const count = num(p.stepCount) ?? v.step?.count ?? index + 1;
      return {
        stage: 'moonmind.task.execute',
        step: { index, count: Math.max(count, index + 1), id: str(p.stepId), title: str(p.title) },
      };
    }
    case 'run.attempt.started':
      return {
        status: v.paused ? 'awaiting_action' : 'running',
        attempt: num(p.attempt) ?? v.attempt,
        worker: str(p.host) ?? v.worker,
        waitingReason: null,
      };
    case 'run.queued':
      return { waitingReason: str(p.reason) ?? v.waitingReason };
    case 'control.cancel_requested':
      return { cancelRequestedAt: v.cancelRequestedAt ?? e.createdAt };
    case 'control.paused':
    case 'control.takeover': {
      // A pause without a mode is soft; a takeover without one keeps the current pause's mode.
      const takeover = e.type === 'control.takeover';
      const pauseMode = modeOf(p.mode) ?? (takeover ? v.live?.pauseMode : null) ?? 'soft';
      // Accepted while a step runs, a soft pause is pending: the run keeps running until its safe point.
      const pausing = p.pausing === true;
      return {
        paused: true,
        status: pausing ? v.status : 'awaiting_action',
        live: {
          ...v.live,
          paused: true,
          pauseMode,
          pausing,
          takeoverRequested: takeover || !!v.live?.takeoverRequested,
        },
      };
    }
    case 'run.paused':
      return v.paused ? { status: 'awaiting_action', live: { ...v.live, pausing: false } } : null;
    case 'control.resumed':
      return {
        paused: false,
        status: unpaused(v),
        live: { ...v.live, paused: false, pauseMode: null, pausing: false, takeoverRequested: false },
      };
  }
  return null;
}

/** `patchFor` applied to a plain view (a fetched one), returning a new view. */
export function applyEvent(v: JobView, e: JobEvent): JobView {
  const patch = patchFor(v, e);
  return patch ? { ...v, ...patch } : v;
}
