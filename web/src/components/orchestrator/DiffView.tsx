import { createMemo, For, Show } from 'solid-js';
import { diffLines, diffStat } from '../../lib/orchestrator-view.ts';

/** The patch (patch.diff) as a unified diff: added lines green with +, removed red with −, hunks marked; a rolled back run says its patch was reverted. */
export function DiffView(props: { diff: string | null; loading: boolean; reverted: boolean }) {
  const lines = createMemo(() => diffLines(props.diff ?? ''));
  const stat = () => diffStat(lines());
  return (
    <section class="card" aria-labelledby="diff-title" data-testid="diff">
      <h2 id="diff-title">
        Diff{' '}
        <Show when={lines().length > 0}>
          <span class="muted small" data-testid="diff-stat">
            +{stat().added} −{stat().removed} in {stat().files} {stat().files === 1 ? 'file' : 'files'}
            {props.reverted ? ' · reverted by the rollback' : ''}
          </span>
        </Show>
      </h2>
      <Show
        when={lines().length > 0}
        fallback={<p class="muted">{props.loading ? 'Loading…' : 'No patch yet.'}</p>}
      >
        <pre class="diff" tabindex="0">
          <For each={lines()}>{(l) => <span class={`diff-${l.kind}`}>{`${l.text}\n`}</span>}</For>
        </pre>
      </Show>
    </section>
  );
}
