import { createSignal, untrack } from 'solid-js';
import type { JobEvent } from '../../../contracts/events.ts';
import { listEvents } from '../api/jobs.ts';
import type { AppendListener, EventFeed } from './event-feed.ts';

const HALF = 500;
const PAGE = 1000;

/**
 * The lines around one event older than everything the feed holds (a line link or a search match far back
 * in a long run): a page either side of it, older and newer pages on request. When the newer end reaches
 * the feed's first event, the window is handed to the feed (`feed.prepend`) and `joined()` turns true: the
 * log is one again. Shaped like the feed for the output panel's filtered view.
 */
export function createLogWindow(jobId: string, around: number, feed: EventFeed) {
  const [events, setEvents] = createSignal<JobEvent[]>([], { equals: false });
  const [loaded, setLoaded] = createSignal(false);
  const [hasOlder, setHasOlder] = createSignal(false);
  const [loadingOlder, setLoadingOlder] = createSignal(false);
  const [loadingNewer, setLoadingNewer] = createSignal(false);
  const [joined, setJoined] = createSignal(false);
  const [error, setError] = createSignal<unknown>(null);
  const listeners = new Set<AppendListener>();

  const feedFirst = () => untrack(feed.events)[0]?.id ?? Number.POSITIVE_INFINITY;
  const beforeFeed = () => (Number.isFinite(feedFirst()) ? feedFirst() : undefined);
  /** Events up to the feed's first one: if they reach it, the feed takes them all. */
  const appendNewer = (items: JobEvent[]) => {
    const fresh = items.filter((e) => e.id < feedFirst());
    const list = untrack(events);
    list.push(...fresh);
    for (const l of listeners) l(fresh, false);
    setEvents(list);
    if ((list.at(-1)?.id ?? 0) + 1 >= feedFirst()) {
      feed.prepend(list);
      setJoined(true);
    }
  };

  void (async () => {
    try {
      const [older, newer] = await Promise.all([
        listEvents(jobId, { sort: 'desc', before: around + 1, limit: HALF }),
        listEvents(jobId, { after: around, before: beforeFeed(), limit: HALF }),
      ]);
      setHasOlder(older.items.length === HALF && older.items.at(-1)!.id > 1);
      setEvents(older.items.reverse());
      appendNewer(newer.items);
    } catch (e) {
      setError(e);
    } finally {
      setLoaded(true);
    }
  })();

  return {
    events,
    loaded,
    hasOlder,
    loadingOlder,
    loadingNewer,
    joined,
    error,
    onAppend(listener: AppendListener) {
      listeners.add(listener);
    },
    async loadOlder() {
      const first = untrack(events)[0];
      if (!first || loadingOlder()) return;
      setLoadingOlder(true);
      try {
        const { items } = await listEvents(jobId, { sort: 'desc', before: first.id, limit: PAGE });
        setHasOlder(items.length === PAGE);
        setEvents((list) => {
          list.unshift(...items.reverse());
          return list;
        });
      } finally {
        setLoadingOlder(false);
      }
    },
    async loadNewer() {
      const last = untrack(events).at(-1);
      if (!last || loadingNewer()) return;
      setLoadingNewer(true);
      try {
        const { items } = await listEvents(jobId, { after: last.id, before: beforeFeed(), limit: PAGE });
        appendNewer(items);
      } finally {
        setLoadingNewer(false);
      }
    },
  };
}
export type LogWindow = ReturnType<typeof createLogWindow>;
