import { createEffect, createMemo, createSignal, on } from 'solid-js';
import type { JobEvent } from '../../../contracts/events.ts';
import type { EventFeed } from './event-feed.ts';

/**
 * A filtered, mapped view of a feed, kept incrementally: appended batches are filtered as they arrive;
 * the whole view is rebuilt only when the filter changes or older events are loaded. `items()` returns
 * the same array (mutated); read `version()` to react.
 */
export function createFilteredView<T>(
  feed: EventFeed,
  keep: () => (e: JobEvent) => boolean,
  map: (e: JobEvent) => T,
) {
  let items: T[] = [];
  const [version, setVersion] = createSignal(0);
  const firstId = createMemo(() => feed.events()[0]?.id);
  feed.onAppend((batch) => {
    const k = keep();
    const before = items.length;
    for (const e of batch) if (k(e)) items.push(map(e));
    if (items.length !== before) setVersion((v) => v + 1);
  });
  createEffect(
    on([keep, firstId], ([k]) => {
      items = feed.events().filter(k).map(map);
      setVersion((v) => v + 1);
    }),
  );
  return {
    items: () => {
      version();
      return items;
    },
    version,
  };
}
