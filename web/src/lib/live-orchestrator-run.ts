import { createEffect, createSignal, on, onCleanup, untrack } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import type { ArtifactView } from '../../../contracts/artifacts.ts';
import { isOrchestratorTerminal } from '../../../contracts/orchestrator-run.ts';
import { ApiError } from '../api/client.ts';
import { getRun, listRunArtifacts, type OrchestratorRun, runEvents } from '../api/orchestrator.ts';
import { createEventFeed } from './event-feed.ts';
import { isLog } from './events.ts';
import { backoffDelay } from './poll.ts';
import { createCoalescer } from './refresh.ts';

/** While the stream is live a slow safety net; while it is down, polling like the task run page. */
const SAFETY_NET_MS = 15_000;
const FALLBACK_MS = 2_000;
/** Artifacts of the last step are uploaded as the run ends: asked for again once they have settled. */
const SETTLE_MS = 1_500;

/**
 * An orchestrator run as its detail page shows it: the run view, its artifacts and its event feed (the same
 * feed as a job's, on the run's routes). Every non-log event refreshes the view and the artifacts
 * (coalesced: a burst costs one or two requests); polling only stands in while the stream is down, and
 * stops when the run has finished. A failed refresh keeps the last good values (the error is in `error()`).
 */
export function createLiveOrchestratorRun(runId: string) {
  const [state, setState] = createStore<{ run: OrchestratorRun | null; artifacts: ArtifactView[] }>({
    run: null,
    artifacts: [],
  });
  const [error, setError] = createSignal<unknown>(null);
  const finished = () => !!state.run && isOrchestratorTerminal(state.run.status);
  const feed = createEventFeed(runId, finished, runEvents);
  let failures = 0;
  let disposed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let settle: ReturnType<typeof setTimeout> | undefined;

  const fetchRun = createCoalescer(async () => {
    try {
      const run = await getRun(runId);
      if (disposed) return;
      setState('run', reconcile(run));
      failures = 0;
      setError(null);
    } catch (e) {
      failures++;
      setError(e);
    } finally {
      schedule();
    }
  });
  const fetchArtifacts = createCoalescer(async () => {
    const items = await listRunArtifacts(runId);
    if (!disposed) setState('artifacts', reconcile(items, { key: 'name' }));
  });
  const refresh = () => {
    fetchRun.request();
    fetchArtifacts.request();
  };

  function schedule() {
    clearTimeout(timer);
    const e = untrack(error);
    if (disposed || untrack(finished) || (e instanceof ApiError && e.status === 404)) return;
    const every = untrack(feed.transport) === 'sse' ? SAFETY_NET_MS : FALLBACK_MS;
    timer = setTimeout(() => (document.hidden ? schedule() : refresh()), backoffDelay(every, failures));
  }

  feed.onAppend((events, live) => {
    if (live && events.some((e) => !isLog(e))) refresh();
  });
  createEffect(
    on(feed.transport, () => (feed.transport() === 'ended' ? refresh() : schedule()), { defer: true }),
  );
  createEffect(
    on(finished, (done) => {
      if (!done) return;
      clearTimeout(settle);
      settle = setTimeout(fetchArtifacts.request, SETTLE_MS);
    }),
  );
  const onVisible = () => !document.hidden && !finished() && refresh();
  document.addEventListener('visibilitychange', onVisible);
  onCleanup(() => {
    disposed = true;
    clearTimeout(timer);
    clearTimeout(settle);
    fetchRun.dispose();
    fetchArtifacts.dispose();
    document.removeEventListener('visibilitychange', onVisible);
  });
  refresh();

  return {
    run: () => state.run,
    artifacts: () => state.artifacts,
    error,
    finished,
    feed,
    /** After a control: the run changed (the event will say so too; this is sooner). */
    refresh,
  };
}
export type LiveOrchestratorRun = ReturnType<typeof createLiveOrchestratorRun>;
