import { batch, createEffect, createSignal, on, onCleanup, untrack } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import type { JobEvent } from '../../../contracts/events.ts';
import type { JobView } from '../../../contracts/job.ts';
import { isTerminal } from '../../../contracts/status.ts';
import { ApiError, apiReachable } from '../api/client.ts';
import { type Artifact, getJob, listArtifacts } from '../api/jobs.ts';
import { createEventFeed } from './event-feed.ts';
import { applyEvent, patchFor } from './job-patch.ts';
import { backoffDelay } from './poll.ts';
import { createRefresher } from './refresh.ts';

/** While the stream is live, a slow safety net; while it is down, the old polling intervals. */
export const SAFETY_NET_MS = 30_000;
const fallbackMs = { job: 2_000, artifacts: 5_000 };
type Kind = keyof typeof fallbackMs;

/**
 * A job as the detail page shows it: its view, its artifacts and its event feed. The feed drives the rest:
 * an event that changes the view is applied at once (`patchFor`) and triggers a refetch, coalesced; one
 * that means new artifacts refetches the list. Polling is only the fallback while the stream is down (and
 * a slow safety net while it is up); it stops when the run has finished. A failed refresh keeps the last
 * good values (the error is in `error()`).
 */
export function createLiveJob(jobId: string) {
  const [state, setState] = createStore<{ job: JobView | null; artifacts: Artifact[] }>({
    job: null,
    artifacts: [],
  });
  const [error, setError] = createSignal<unknown>(null);
  const finished = () => !!state.job && isTerminal(state.job.status);
  const feed = createEventFeed(jobId, finished);
  const failures: Record<Kind, number> = { job: 0, artifacts: 0 };
  const timers: Partial<Record<Kind, ReturnType<typeof setTimeout>>> = {};
  let disposed = false;
  /** Events applied to the view while a job request was out: re-applied to its answer, which may predate them. */
  let during: JobEvent[] = [];
  /** Bumped by a control's answer: a job request already out predates it and would undo it until the next. */
  let epoch = 0;

  const refresher = createRefresher({
    async job() {
      during = [];
      const asked = epoch;
      try {
        const fetched = await getJob(jobId);
        if (disposed || asked !== epoch) return;
        setState('job', reconcile(during.reduce(applyEvent, fetched)));
        failures.job = 0;
        setError(null);
      } catch (e) {
        failures.job++;
        setError(e);
      } finally {
        schedule('job');
      }
    },
    async artifacts() {
      try {
        const { items } = await listArtifacts(jobId);
        if (!disposed) setState('artifacts', reconcile(items, { key: 'name' }));
        failures.artifacts = 0;
      } catch {
        failures.artifacts++;
      } finally {
        schedule('artifacts');
      }
    },
  });
  const refreshAll = () => {
    refresher.job();
    refresher.artifacts();
  };

  const pollEvery = (kind: Kind) => {
    if (finished()) return null;
    const transport = feed.transport();
    return transport === 'ended' ? null : transport === 'sse' ? SAFETY_NET_MS : fallbackMs[kind];
  };
  function schedule(kind: Kind) {
    clearTimeout(timers[kind]);
    // No such job: asking again would not change the answer.
    if (untrack(error) instanceof ApiError && (untrack(error) as ApiError).status === 404) return;
    const every = untrack(() => pollEvery(kind));
    if (disposed || every === null) return;
    // A hidden tab skips its polls; showing it again refreshes at once.
    timers[kind] = setTimeout(
      () => !document.hidden && refresher[kind](),
      backoffDelay(every, failures[kind]),
    );
  }

  feed.onAppend((events, live) => {
    // The first page of history happened before the page opened: stale news, unless the view came first.
    if (!live) {
      if (state.job) refresher.events(events);
      return;
    }
    batch(() => {
      for (const e of events) {
        const patch = state.job && patchFor(state.job, e);
        if (!patch) continue;
        setState('job', patch);
        during.push(e);
      }
    });
    refresher.events(events);
  });

  createEffect(
    on(
      feed.transport,
      (transport, before) => {
        // The stream ended without this page seeing the run end (a run ended by Temporal), or it is back
        // after a fallback: ask once; otherwise the polling interval follows the transport.
        if ((transport === 'ended' && !untrack(finished)) || (transport === 'sse' && before === 'polling'))
          refreshAll();
        else for (const kind of ['job', 'artifacts'] as const) schedule(kind);
      },
      { defer: true },
    ),
  );
  createEffect(
    on(
      apiReachable,
      (reachable, before) => {
        // Back after an outage: everything the page shows may be stale (the run may even have ended).
        if (!reachable || before !== false) return;
        failures.job = failures.artifacts = 0;
        feed.reconnectNow();
        refreshAll();
      },
      { defer: true },
    ),
  );
  createEffect(() => {
    if (finished()) for (const kind of ['job', 'artifacts'] as const) clearTimeout(timers[kind]);
  });

  const onVisible = () => !document.hidden && !finished() && refreshAll();
  document.addEventListener('visibilitychange', onVisible);
  onCleanup(() => {
    disposed = true;
    refresher.dispose();
    clearTimeout(timers.job);
    clearTimeout(timers.artifacts);
    document.removeEventListener('visibilitychange', onVisible);
  });
  refreshAll();

  return {
    job: () => state.job,
    artifacts: () => state.artifacts,
    error,
    finished,
    feed,
    /** A view the API answered with (a control's response); refetched anyway, as the control's event will. */
    update(view?: JobView) {
      if (view) {
        epoch++;
        setState('job', reconcile(view));
      }
      refresher.job();
    },
  };
}
export type LiveJob = ReturnType<typeof createLiveJob>;
