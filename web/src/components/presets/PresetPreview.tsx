import { For, Show } from 'solid-js';
import type { Template } from '../../../../contracts/presets.ts';

/** A template read-only: description, steps with their skills, inputs, tags and required capabilities. */
export function PresetPreview(props: { template: Template }) {
  const t = () => props.template;
  return (
    <div class="preset-preview" data-testid="preset-preview">
      <h3>
        {t().title} <span class="muted mono">{`${t().slug}@${t().version}`}</span>
      </h3>
      <p class="muted">
        <span class="badge" data-testid="preset-preview-scope">
          {t().scope}
        </span>{' '}
        <For each={t().tags}>{(tag) => <span class="tag">{tag}</span>}</For>
      </p>
      <Show when={t().description}>
        <p class="wrap preset-description">{t().description}</p>
      </Show>
      <Show when={t().requiredCapabilities.length}>
        <p data-testid="preset-preview-capabilities">
          Requires: <span class="mono">{t().requiredCapabilities.join(', ')}</span>
        </p>
      </Show>
      <Show when={t().inputs.length}>
        <p>
          Inputs:{' '}
          <span class="mono">
            {t()
              .inputs.map((i) => `${i.name}${i.required ? '*' : ''}`)
              .join(', ')}
          </span>
        </p>
      </Show>
      <ol class="preset-steps" data-testid="preset-preview-steps">
        <For each={t().steps}>
          {(s) => (
            <li>
              <strong>{s.title || 'Untitled step'}</strong>
              <Show when={s.skill}>
                {(skill) => (
                  <span class="badge skill" data-testid="preset-preview-skill">
                    {skill().id}
                  </span>
                )}
              </Show>
              <Show when={s.instructions}>
                <pre class="wrap step-text">{s.instructions}</pre>
              </Show>
            </li>
          )}
        </For>
      </ol>
    </div>
  );
}
