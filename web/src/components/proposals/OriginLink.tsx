import { A } from '@solidjs/router';
import { Show } from 'solid-js';
import type { Proposal } from '../../../../contracts/proposals.ts';

/** Where a proposal came from: a link to the run when it came from a queue job, else the source and id. */
export function OriginLink(props: { origin: Proposal['origin'] }) {
  const queueJob = () => (props.origin.source === 'queue' && props.origin.id ? props.origin.id : null);
  return (
    <Show
      when={queueJob()}
      fallback={
        <span class="muted" data-testid="proposal-origin">
          {props.origin.source}
          {props.origin.id ? ` ${props.origin.id}` : ''}
        </span>
      }
    >
      {(id) => (
        <A href={`/tasks/queue/${encodeURIComponent(id())}`} class="mono" data-testid="proposal-origin">
          run {id().slice(0, 8)}
        </A>
      )}
    </Show>
  );
}
