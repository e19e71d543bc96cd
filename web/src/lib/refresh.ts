import type { JobEvent } from '../../../contracts/events.ts';
import { stages } from '../../../contracts/events.ts';

/**
 * What an event makes stale on the detail page: the job view (summary, controls) and/or the artifact list;
 * `uploading` when the event's activity is still uploading its artifacts as it arrives.
 */
export interface Stale {
  job: boolean;
  artifacts: boolean;
  uploading: boolean;
}

const stageSuffix = (type: string) => {
  const stage = stages.find((s) => type.startsWith(`${s}.`));
  return stage ? type.slice(stage.length + 1) : null;
};

/** Event types whose run state the `state` query already holds when the event arrives. */
const jobTypes = new Set([
  'task.step.started',
  'task.step.finished',
  'task.step.failed',
  'control.cancel_requested',
  'control.paused',
  'control.resumed',
  'control.takeover',
  'run.queued',
  'run.attempt.started',
  'run.attempt.failed',
  'run.attempt.handed_back',
  'run.paused',
  'run.finished',
]);

/**
 * Which refresh an event calls for. Workers upload an activity's artifacts as it ends (a step's log, a
 * stage's logs and results), at the same time as its last events, so those may arrive first; a failed
 * attempt collects what its host had; a run ends after all of it. Log lines, plans and operator messages
 * change neither. An ignored control request changed nothing.
 */
export function staleAfter(e: JobEvent): Stale {
  if (e.type.startsWith('control.') && e.payload?.ignored)
    return { job: false, artifacts: false, uploading: false };
  const suffix = stageSuffix(e.type);
  const uploading =
    suffix === 'finished' ||
    suffix === 'failed' ||
    e.type === 'task.step.finished' ||
    e.type === 'task.step.failed' ||
    e.type.startsWith('task.publish.') ||
    e.type === 'run.attempt.failed';
  return {
    job: suffix !== null || jobTypes.has(e.type),
    artifacts: uploading || e.type === 'artifact.upload_failed' || e.type === 'run.finished',
    uploading,
  };
}

/** How long after an activity's last event its uploads are asked for again (they run alongside). */
export const UPLOAD_SETTLE_MS = 1_000;

/**
 * Runs `task` on request, one run at a time: requests that arrive while it runs collapse into ONE more run
 * after it (which sees everything those requests were about), so a burst costs one or two runs.
 */
export function createCoalescer(task: () => Promise<void>) {
  let running = false;
  let queued = false;
  let disposed = false;
  const loop = async () => {
    running = true;
    try {
      do {
        queued = false;
        await task().catch(() => {});
      } while (queued && !disposed);
    } finally {
      running = false;
    }
  };
  return {
    request() {
      if (disposed) return;
      if (running) queued = true;
      else void loop();
    },
    busy: () => running,
    dispose() {
      disposed = true;
    },
  };
}

/**
 * The detail page's two refreshes, each coalesced, driven by event batches from the feed. After an
 * activity's end the artifacts are asked for at once and once more when its uploads have settled (one
 * timer, restarted by the next such event).
 */
export function createRefresher(
  fetch: { job: () => Promise<void>; artifacts: () => Promise<void> },
  settleMs = UPLOAD_SETTLE_MS,
) {
  const job = createCoalescer(fetch.job);
  const artifacts = createCoalescer(fetch.artifacts);
  let settle: ReturnType<typeof setTimeout> | undefined;
  return {
    /** Requests what the batch makes stale (one request per kind, however long the batch). */
    events(batch: readonly JobEvent[]) {
      let j = false;
      let a = false;
      let uploading = false;
      let ended = false;
      for (const e of batch) {
        const s = staleAfter(e);
        j ||= s.job;
        a ||= s.artifacts;
        uploading ||= s.uploading;
        ended ||= e.type === 'run.finished';
      }
      if (j) job.request();
      if (a) artifacts.request();
      // A run ends after every upload: its own refresh sees them all.
      if (uploading || ended) clearTimeout(settle);
      if (uploading && !ended) settle = setTimeout(artifacts.request, settleMs);
    },
    job: job.request,
    artifacts: artifacts.request,
    dispose() {
      clearTimeout(settle);
      job.dispose();
      artifacts.dispose();
    },
  };
}
export type Refresher = ReturnType<typeof createRefresher>;
