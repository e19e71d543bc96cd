import { Show } from 'solid-js';
import type { FleetOption } from '../../../contracts/fleet.ts';

/** A choice no live worker serves: said under its field, with what to do about it. */
export function Unserved(props: { id: string; option: FleetOption | undefined }) {
  return (
    <Show when={props.option && !props.option.served}>
      <p class="field-warning" data-testid={`unserved-${props.id}`}>
        {props.option?.reason}
      </p>
    </Show>
  );
}
