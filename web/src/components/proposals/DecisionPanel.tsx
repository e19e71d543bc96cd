import { createSignal, For, Show } from 'solid-js';
import type { Proposal } from '../../../../contracts/proposals.ts';
import { type Decision, decideProposal } from '../../api/proposals.ts';
import { canMutate } from '../../lib/session.ts';

const decisions: { decision: Decision; label: string; kind: string }[] = [
  { decision: 'accept', label: 'Accept', kind: 'secondary' },
  { decision: 'reject', label: 'Reject', kind: 'secondary' },
  { decision: 'dismiss', label: 'Dismiss', kind: 'danger' },
];

/** Dismiss, accept or reject an open proposal, with an optional note. */
export function DecisionPanel(props: {
  proposal: Proposal;
  busy: boolean;
  act: (label: string, fn: () => Promise<Proposal>) => Promise<void>;
}) {
  const [note, setNote] = createSignal('');
  const open = () => props.proposal.status === 'open';
  return (
    <div class="control" data-testid="decision-panel">
      <h3>Decide</h3>
      <Show when={open()} fallback={<p class="muted">Decided: {props.proposal.status}.</p>}>
        <label>
          Note
          <textarea
            rows={2}
            maxLength={2000}
            value={note()}
            onInput={(e) => setNote(e.currentTarget.value)}
            data-testid="decision-note"
          />
        </label>
        <div class="row">
          <For each={decisions}>
            {(d) => (
              <button
                type="button"
                class={d.kind}
                disabled={props.busy || !canMutate()}
                onClick={() =>
                  props.act(d.label, () =>
                    decideProposal(props.proposal.id, d.decision, note(), props.proposal.version),
                  )
                }
                data-testid={`decision-${d.decision}`}
              >
                {d.label}
              </button>
            )}
          </For>
        </div>
      </Show>
    </div>
  );
}
