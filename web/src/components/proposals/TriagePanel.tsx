import { createSignal, Show } from 'solid-js';
import type { Proposal } from '../../../../contracts/proposals.ts';
import { setPriority, snoozeProposal, unsnoozeProposal } from '../../api/proposals.ts';
import { formatTime } from '../../lib/format.ts';
import { canMutate } from '../../lib/session.ts';
import { defaultSnooze, fromLocalInput, isSnoozed } from '../../lib/snooze.ts';

/** Priority (an integer, -100…100) and snooze until a date and time, or unsnooze. */
export function TriagePanel(props: {
  proposal: Proposal;
  busy: boolean;
  act: (label: string, fn: () => Promise<Proposal>) => Promise<void>;
}) {
  const [priority, setPriorityText] = createSignal(String(props.proposal.priority));
  const [until, setUntil] = createSignal(defaultSnooze());
  const priorityValue = () => (/^\s*-?\d+\s*$/.test(priority()) ? Number(priority()) : null);
  const priorityError = () => {
    const v = priorityValue();
    return v === null ? 'must be an integer' : v < -100 || v > 100 ? 'must be between -100 and 100' : null;
  };
  const p = () => props.proposal;
  const disabled = () => props.busy || !canMutate();
  return (
    <div class="control" data-testid="triage-panel">
      <h3>Triage</h3>
      <div class="row">
        <label>
          Priority
          <input
            inputmode="numeric"
            value={priority()}
            onInput={(e) => setPriorityText(e.currentTarget.value)}
            aria-invalid={priorityError() ? 'true' : undefined}
            data-testid="priority-input"
          />
        </label>
        <button
          type="button"
          class="secondary"
          disabled={disabled() || !!priorityError() || priorityValue() === p().priority}
          onClick={() => props.act('Priority', () => setPriority(p().id, priorityValue()!, p().version))}
          data-testid="priority-save"
        >
          Set priority
        </button>
      </div>
      <Show when={priorityError()}>
        <p class="field-error" data-testid="error-priority-input">
          {priorityError()}
        </p>
      </Show>
      <Show
        when={isSnoozed(p().snoozedUntil)}
        fallback={
          <div class="row">
            <label>
              Snooze until
              <input
                type="datetime-local"
                value={until()}
                onInput={(e) => setUntil(e.currentTarget.value)}
                data-testid="snooze-until"
              />
            </label>
            <button
              type="button"
              class="secondary"
              disabled={disabled() || !fromLocalInput(until())}
              onClick={() =>
                props.act('Snooze', () => snoozeProposal(p().id, fromLocalInput(until())!, p().version))
              }
              data-testid="snooze"
            >
              Snooze
            </button>
          </div>
        }
      >
        <p data-testid="snoozed-until">
          Snoozed until {formatTime(p().snoozedUntil)}{' '}
          <button
            type="button"
            class="secondary small"
            disabled={disabled()}
            onClick={() => props.act('Unsnooze', () => unsnoozeProposal(p().id, p().version))}
            data-testid="unsnooze"
          >
            Unsnooze
          </button>
        </p>
      </Show>
    </div>
  );
}
