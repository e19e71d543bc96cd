import { Show } from 'solid-js';
import { waitingText } from '../lib/format.ts';

/** Why a queued run is not running yet, wherever the run is shown. */
export function WaitingChip(props: { reason: string | null | undefined }) {
  return (
    <Show when={props.reason}>
      {(reason) => (
        <span class="chip chip-waiting" data-testid="waiting-chip" title={reason()}>
          {waitingText(reason())}
        </span>
      )}
    </Show>
  );
}
