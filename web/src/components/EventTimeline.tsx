import { For } from 'solid-js';
import type { JobEvent } from '../../../contracts/events.ts';
import { formatTime } from '../lib/format.ts';

/** Every event except log lines (those are in the log), oldest first: all of them, whatever the log holds. */
export function EventTimeline(props: { events: JobEvent[] }) {
  return (
    <section class="card" aria-label="Events" data-testid="event-timeline">
      <h2>Events</h2>
      <ol class="events">
        <For each={props.events} fallback={<li class="muted">No events yet.</li>}>
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
