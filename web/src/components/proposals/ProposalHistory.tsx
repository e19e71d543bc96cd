import { For } from 'solid-js';
import type { ProposalDetail } from '../../api/proposals.ts';
import { formatTime } from '../../lib/format.ts';

/** Every decision on the proposal, oldest first, with who took it and their note. */
export function ProposalHistory(props: { history: ProposalDetail['history'] }) {
  return (
    <section class="card" data-testid="proposal-history">
      <h2>History</h2>
      <ol class="events">
        <For each={props.history} fallback={<li class="muted">No decisions yet.</li>}>
          {(h) => (
            <li class="event" data-testid="history-entry" data-action={h.action}>
              <time>{formatTime(h.at)}</time> <span class="event-type">{h.action}</span>{' '}
              <span data-testid="history-actor">by {h.actor}</span>
              {h.note ? <span class="event-message">: {h.note}</span> : null}
            </li>
          )}
        </For>
      </ol>
    </section>
  );
}
