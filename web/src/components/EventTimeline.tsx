import { For, Show } from 'solid-js';
import type { JobEvent } from '../../../contracts/events.ts';
import type { EventFeed } from '../lib/event-feed.ts';
import { formatTime } from '../lib/format.ts';

/** Every event except log lines (those are in the output panel), oldest first, with "load older". */
export function EventTimeline(props: { feed: EventFeed; events: JobEvent[] }) {
  return (
    <section class="card" aria-label="Events" data-testid="event-timeline">
      <h2>Events</h2>
      <Show when={props.feed.hasOlder()}>
        <button
          type="button"
          class="secondary small"
          disabled={props.feed.loadingOlder()}
          onClick={() => void props.feed.loadOlder()}
          data-testid="load-older"
        >
          {props.feed.loadingOlder() ? 'Loading…' : 'Load older'}
        </button>
      </Show>
      <ol class="events">
        <For each={props.events}>
          {(e) => (
            <li class={`event level-${e.level}`} data-testid="event" data-type={e.type}>
              <time datetime={e.createdAt}>{formatTime(e.createdAt)}</time>
              <span class="event-type">{e.type}</span>
              <span class="event-message">{e.message}</span>
            </li>
          )}
        </For>
      </ol>
    </section>
  );
}
