import { A } from '@solidjs/router';
import { createSignal, For, Show } from 'solid-js';
import { bulkProposals } from '../../api/proposals.ts';
import { errorMessage } from '../../lib/format.ts';
import { type BulkAction, type BulkSummary, bulkRefusal, summarizeBulk } from '../../lib/proposal-bulk.ts';
import { canMutate } from '../../lib/session.ts';
import { defaultSnooze, fromLocalInput } from '../../lib/snooze.ts';

/**
 * Promote, dismiss or snooze the selection: refused (buttons disabled, the reason shown) while nothing is
 * selected; each item's answer is reported on its own.
 */
export function BulkBar(props: {
  selected: string[];
  titles: ReadonlyMap<string, string>;
  onDone: () => void;
}) {
  const [note, setNote] = createSignal('');
  const [until, setUntil] = createSignal(defaultSnooze());
  const [busy, setBusy] = createSignal(false);
  const [summary, setSummary] = createSignal<BulkSummary | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const refusal = (action: BulkAction) =>
    bulkRefusal(
      action,
      props.selected.length,
      action === 'snooze' ? fromLocalInput(until())?.toISOString() : null,
    );

  const run = async (action: BulkAction) => {
    if (refusal(action) || busy()) return;
    setBusy(true);
    setError(null);
    setSummary(null);
    try {
      const results = await bulkProposals(action, props.selected, {
        note: note(),
        until: action === 'snooze' ? (fromLocalInput(until()) ?? undefined) : undefined,
      });
      setSummary(summarizeBulk(action, results, props.titles));
      props.onDone();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const button = (action: BulkAction, label: string) => (
    <button
      type="button"
      class={action === 'promote' ? undefined : 'secondary'}
      disabled={busy() || !canMutate() || !!refusal(action)}
      title={refusal(action) ?? undefined}
      onClick={() => run(action)}
      data-testid={`bulk-${action}`}
    >
      {label}
    </button>
  );

  return (
    <div class="card bulk-bar" data-testid="bulk-bar">
      <div class="row">
        <span data-testid="bulk-count">{props.selected.length} selected</span>
        {button('promote', 'Promote')}
        {button('dismiss', 'Dismiss')}
        <label>
          Note
          <input
            value={note()}
            maxLength={2000}
            placeholder="optional, for dismiss"
            onInput={(e) => setNote(e.currentTarget.value)}
            data-testid="bulk-note"
          />
        </label>
        <label>
          Snooze until
          <input
            type="datetime-local"
            value={until()}
            onInput={(e) => setUntil(e.currentTarget.value)}
            data-testid="bulk-until"
          />
        </label>
        {button('snooze', 'Snooze')}
      </div>
      <Show when={props.selected.length === 0}>
        <p class="hint" data-testid="bulk-refusal">
          {refusal('dismiss')}
        </p>
      </Show>
      <Show when={error()}>
        <p class="form-error" role="alert" data-testid="bulk-error">
          {error()}
        </p>
      </Show>
      <Show when={summary()}>
        {(s) => (
          <div role="status" data-testid="bulk-result">
            <p data-testid="bulk-message">{s().message}</p>
            <ul class="bulk-lines">
              <For each={s().lines}>
                {(line) => (
                  <li data-testid="bulk-line" data-ok={String(line.ok)} data-proposal-id={line.id}>
                    <span class={line.ok ? 'badge badge-succeeded' : 'badge badge-failed'}>
                      {line.ok ? 'ok' : 'failed'}
                    </span>{' '}
                    {line.title}:{' '}
                    <Show when={line.jobId} fallback={line.detail}>
                      {(jobId) => <A href={`/tasks/queue/${jobId()}`}>{line.detail}</A>}
                    </Show>
                  </li>
                )}
              </For>
            </ul>
          </div>
        )}
      </Show>
    </div>
  );
}
