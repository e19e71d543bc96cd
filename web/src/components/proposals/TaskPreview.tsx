import { For, Show } from 'solid-js';
import type { ProposalDetail } from '../../api/proposals.ts';

const excerpt = (text: string | null, n = 400) =>
  !text ? '' : text.length > n ? `${text.slice(0, n)}…` : text;

/** What promoting would start: repository, runtime, publish mode and the steps (instructions excerpted). */
export function TaskPreview(props: { preview: ProposalDetail['preview'] }) {
  return (
    <section class="card" data-testid="proposal-preview">
      <h2>Task preview</h2>
      <dl class="facts">
        <dt>Repository</dt>
        <dd class="wrap" data-testid="preview-repository">
          {props.preview.repository || '—'}
        </dd>
        <dt>Runtime</dt>
        <dd data-testid="preview-runtime">{props.preview.runtime || '—'}</dd>
        <dt>Publish mode</dt>
        <dd data-testid="preview-publishMode">{props.preview.publishMode || '—'}</dd>
      </dl>
      <Show when={props.preview.steps.length > 0}>
        <ol class="preset-steps" data-testid="preview-steps">
          <For each={props.preview.steps}>
            {(step) => (
              <li>
                <strong>{step.title || step.id}</strong>
                <Show when={step.instructions}>
                  <pre class="step-text">{excerpt(step.instructions)}</pre>
                </Show>
              </li>
            )}
          </For>
        </ol>
      </Show>
    </section>
  );
}
