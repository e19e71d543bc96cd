import type { JobEvent } from '../../../contracts/events.ts';
import { stages } from '../../../contracts/events.ts';

/** What an event makes stale on the detail page: the job view (summary, controls) and/or the artifact list. */
export interface Stale {
  job: boolean;
  artifacts: boolean;
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
  'run.paused',
  'run.finished',
]);

/**
 * Which refresh an event calls for. Workers upload an activity's artifacts as it ends (stage `.finished` /
 * `.failed`, publish results), a failed attempt collects what its host had, and a run ends after all of it.
 * Log lines, plans and operator messages change neither. An ignored control request changed nothing.
 */
export function staleAfter(e: JobEvent): Stale {
  if (e.type.startsWith('control.') && e.payload?.ignored) return { job: false, artifacts: false };
  const suffix = stageSuffix(e.type);
  const stageEnd = suffix === 'finished' || suffix === 'failed';
  return {
    job: suffix !== null || jobTypes.has(e.type),
    artifacts:
      stageEnd ||
      e.type.startsWith('task.publish.') ||
      e.type === 'artifact.upload_failed' ||
      e.type === 'run.attempt.failed' ||
      e.type === 'run.finished',
  };
}

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

/** The detail page's two refreshes, each coalesced, driven by event batches from the feed. */
export function createRefresher(fetch: { job: () => Promise<void>; artifacts: () => Promise<void> }) {
  const job = createCoalescer(fetch.job);
  const artifacts = createCoalescer(fetch.artifacts);
  return {
    /** Requests what the batch makes stale (one request per kind, however long the batch). */
    events(batch: readonly JobEvent[]) {
      let j = false;
      let a = false;
      for (const e of batch) {
        const s = staleAfter(e);
        j ||= s.job;
        a ||= s.artifacts;
      }
      if (j) job.request();
      if (a) artifacts.request();
    },
    job: job.request,
    artifacts: artifacts.request,
    dispose() {
      job.dispose();
      artifacts.dispose();
    },
  };
}
export type Refresher = ReturnType<typeof createRefresher>;
