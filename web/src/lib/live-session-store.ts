import { createSignal, onCleanup } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import { type LiveSessionView, noSessionView } from '../../../contracts/live-session.ts';
import { getLiveSession } from '../api/live-session.ts';
import type { EventFeed } from './event-feed.ts';

/**
 * A job's live session as the page shows it: fetched once, then kept current by the job's `live_session.*`
 * events, the socket's `session` frames and the answers of the session's actions. A failed fetch keeps the
 * last view (the error is in `error()`).
 */
export function createLiveSession(jobId: string, feed: EventFeed) {
  const [state, setState] = createStore<{ view: LiveSessionView }>({ view: noSessionView(jobId) });
  const [error, setError] = createSignal<unknown>(null);
  let disposed = false;
  onCleanup(() => {
    disposed = true;
  });

  const refetch = async () => {
    try {
      const view = await getLiveSession(jobId);
      if (!disposed) setState('view', reconcile(view));
      setError(null);
    } catch (e) {
      setError(e);
    }
  };
  feed.onAppend((events, live) => {
    if (live && events.some((e) => e.type.startsWith('live_session.'))) void refetch();
  });
  void refetch();

  return {
    view: () => state.view,
    error,
    refetch,
    /** A view the API answered with (an action's response or a `session` frame). */
    set: (view: LiveSessionView) => setState('view', reconcile(view)),
  };
}
export type LiveSession = ReturnType<typeof createLiveSession>;
