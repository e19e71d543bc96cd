import { createEffect, createMemo, createSignal, on, untrack } from 'solid-js';
import type { JobEvent } from '../../../contracts/events.ts';
import type { EventFeed } from './event-feed.ts';

/**
 * A filtered, mapped view of a feed, kept incrementally: appended batches are filtered as they arrive;
 * the whole view is rebuilt only when the filter changes or older events are loaded. `items()` is one
 * array grown in place (a signal with `equals: false`), so appending never copies it.
 */
export function createFilteredView<T>(
  feed: Pick<EventFeed, 'events' | 'onAppend'>,
  keep: () => (e: JobEvent) => boolean,
  map: (e: JobEvent) => T,
) {
  const [items, setItems] = createSignal<T[]>([], { equals: false });
  const firstId = createMemo(() => feed.events()[0]?.id);
  feed.onAppend((batch) => {
    const k = untrack(keep);
    const kept = batch.filter(k);
    if (kept.length === 0) return;
    setItems((list) => {
      for (const e of kept) list.push(map(e));
      return list;
    });
  });
  createEffect(
    on([keep, firstId], ([k]) => {
      setItems(untrack(feed.events).filter(k).map(map));
    }),
  );
  return { items };
}
