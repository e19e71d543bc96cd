import { createMemo, createSignal, onCleanup, untrack } from 'solid-js';
import type { JobEvent } from '../../../contracts/events.ts';
import { ApiError } from '../api/client.ts';
import { type EventQuery, eventStreamUrl as jobStreamUrl, listEvents as listJobEvents } from '../api/jobs.ts';
import { createBatcher } from './batcher.ts';
import { backoffDelay } from './poll.ts';

export type Transport = 'connecting' | 'sse' | 'polling' | 'ended';
/** How a page says where its events come from. */
export const transportLabels: Record<Transport, string> = {
  connecting: 'connecting…',
  sse: 'live (SSE)',
  polling: 'polling',
  ended: 'stream ended',
};
export type AppendListener = (batch: JobEvent[], live: boolean) => void;
/** Where a run's events are read: a job's by default; an orchestrator run has the same routes under its own path. */
export interface EventEndpoints {
  list: (id: string, q: EventQuery) => Promise<{ items: JobEvent[] }>;
  streamUrl: (id: string) => string;
}
const jobEndpoints: EventEndpoints = { list: listJobEvents, streamUrl: jobStreamUrl };
const PAGE = 1000;
/** The first read: a few screens of the newest lines, so a long run opens fast; older ones come in pages. */
const FIRST_PAGE = 300;

/**
 * A job's events for the detail page: the newest 300 first (so a run with 100k log lines opens fast), and
 * beside it every non-log event (`exclude=log`: stages, steps, controls), so the timeline is complete from
 * the first paint; then live events over SSE, falling back to polling `afterEventId` every second when SSE fails, and
 * trying SSE again (backing off) while polling; older pages on request. Both sources resume after the
 * last event held and only newer ids are appended, so a switch loses and repeats nothing. `events()` is
 * one array, grown in place (a signal with `equals: false` tells its readers each time).
 */
export function createEventFeed(
  jobId: string,
  isFinished: () => boolean,
  { list: listEvents, streamUrl: eventStreamUrl }: EventEndpoints = jobEndpoints,
) {
  const [events, setEvents] = createSignal<JobEvent[]>([], { equals: false });
  const [transport, setTransport] = createSignal<Transport>('connecting');
  const [hasOlder, setHasOlder] = createSignal(false);
  const [loadingOlder, setLoadingOlder] = createSignal(false);
  /** The newest page is in (an empty job included): "nothing matches" may be said from then on. */
  const [loaded, setLoaded] = createSignal(false);
  /** Every non-log event up to when it was read; the tail's own take over from its first id. */
  const [notLogs, setNotLogs] = createSignal<JobEvent[]>([]);
  let lastId = 0;
  let disposed = false;
  let source: EventSource | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let streamFailures = 0;
  /**
   * Listeners told about each appended batch (the output panel filters incrementally); `live` is false for
   * the page of history loaded first (events that happened before the page opened).
   */
  const appendListeners = new Set<AppendListener>();

  const append = (batch: JobEvent[], live = true) => {
    const fresh = batch.filter((e) => e.id > lastId);
    if (fresh.length === 0) return;
    const list = untrack(events);
    list.push(...fresh);
    lastId = fresh[fresh.length - 1].id;
    // Listeners first, readers of `events()` after: a view rebuilt by that signal must not add `fresh` twice.
    for (const l of appendListeners) l(fresh, live);
    setEvents(list);
  };
  const batcher = createBatcher<JobEvent>(append);

  const later = (fn: () => void, ms: number) => {
    clearTimeout(timer);
    if (!disposed) timer = setTimeout(fn, ms);
  };

  async function loadTail() {
    try {
      const [{ items }, rest] = await Promise.all([
        listEvents(jobId, { sort: 'desc', limit: FIRST_PAGE }),
        loadNotLogs(),
      ]);
      failures = 0;
      setHasOlder(items.length === FIRST_PAGE);
      setNotLogs(rest);
      append(items.reverse(), false);
      setLoaded(true);
      openStream();
    } catch (e) {
      // No such job: the page says so once; asking again would not change the answer.
      if (e instanceof ApiError && e.status === 404) return setTransport('ended');
      failures++;
      later(loadTail, backoffDelay(1000, failures));
    }
  }

  /** Non-log events are few (stages, steps, controls, a few dozen): all of them, a page at a time. */
  async function loadNotLogs() {
    const all: JobEvent[] = [];
    for (;;) {
      const after = all.at(-1)?.id ?? 0;
      const { items } = await listEvents(jobId, { after, limit: PAGE, exclude: 'log' });
      all.push(...items);
      if (items.length < PAGE) return all;
    }
  }

  function openStream() {
    if (disposed) return;
    if (typeof EventSource !== 'function') return startPolling();
    const es = new EventSource(`${eventStreamUrl(jobId)}?lastEventId=${lastId}`);
    source = es;
    es.onopen = () => {
      if (source !== es) return;
      streamFailures = 0;
      clearTimeout(timer); // the polling loop, if the stream is back after a fallback
      setTransport('sse');
    };
    es.addEventListener('job_event', (m) => batcher.push(JSON.parse((m as MessageEvent).data) as JobEvent));
    es.addEventListener('end', () => {
      batcher.flush();
      es.close();
      setTransport('ended');
    });
    es.onerror = () => {
      // EventSource would retry on its own; the spec asks for a visible switch to polling instead.
      if (source !== es) return;
      es.close();
      source = null;
      batcher.flush();
      streamFailures++;
      if (transport() !== 'polling') startPolling();
      retryStream();
    };
  }

  /** While polling, open the stream again after a backoff; it takes over from polling once it opens. */
  function retryStream() {
    clearTimeout(retryTimer);
    if (disposed) return;
    retryTimer = setTimeout(
      () => {
        if (transport() !== 'polling') return;
        if (document.hidden) return retryStream();
        openStream();
      },
      backoffDelay(1000, streamFailures),
    );
  }

  function startPolling() {
    setTransport('polling');
    const poll = async () => {
      if (transport() !== 'polling') return;
      if (document.hidden) return later(poll, 1000);
      try {
        const { items } = await listEvents(jobId, { after: lastId, limit: PAGE });
        failures = 0;
        append(items);
        if (transport() !== 'polling') return; // the stream took over while this request ran
        if (items.length === PAGE) return later(poll, 0);
        if (items.length === 0 && isFinished()) return setTransport('ended');
      } catch {
        failures++;
      }
      later(poll, backoffDelay(1000, failures));
    };
    void poll();
  }

  /**
   * Events just older than the held ones (a window the page fetched around an old line, once it reaches
   * the tail): the run of ids right below the first held one is added in front.
   */
  function prepend(older: readonly JobEvent[]) {
    const first = untrack(events)[0];
    if (!first) return;
    const before = older.filter((e) => e.id < first.id).sort((a, b) => a.id - b.id);
    if (before.length === 0 || before.at(-1)!.id !== first.id - 1) return;
    setHasOlder(before[0].id > 1);
    setEvents((list) => {
      list.unshift(...before);
      return list;
    });
  }

  async function loadOlder() {
    const first = untrack(events)[0];
    if (loadingOlder() || !first) return;
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
  }

  /**
   * The API is reachable again (the page's health probe said so): don't wait out the backoff, which may
   * have grown to 30 s during the outage; poll and open the stream now.
   */
  function reconnectNow() {
    if (disposed) return;
    failures = 0;
    if (!untrack(loaded)) return later(loadTail, 0);
    if (untrack(transport) !== 'polling') return;
    streamFailures = 0;
    clearTimeout(retryTimer);
    startPolling();
    openStream();
  }

  void loadTail();
  onCleanup(() => {
    disposed = true;
    clearTimeout(timer);
    clearTimeout(retryTimer);
    source?.close();
    batcher.dispose();
  });

  const firstId = createMemo(() => events()[0]?.id ?? Number.POSITIVE_INFINITY);
  return {
    events,
    transport,
    hasOlder,
    loadingOlder,
    loadOlder,
    loaded,
    prepend,
    reconnectNow,
    /** Every non-log event, the held ones included, oldest first. */
    notLogs: createMemo(() => {
      const first = firstId();
      return notLogs().filter((e) => e.id < first);
    }),
    onAppend(listener: AppendListener) {
      appendListeners.add(listener);
      onCleanup(() => appendListeners.delete(listener));
    },
  };
}
export type EventFeed = ReturnType<typeof createEventFeed>;
