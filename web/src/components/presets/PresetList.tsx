import { For, Show } from 'solid-js';
import type { Template } from '../../../../contracts/presets.ts';
import { apiReachable } from '../../api/client.ts';
import { formatTime } from '../../lib/format.ts';

/** Template rows (favorites marked): selecting one shows it, the star toggles the favorite. */
export function PresetList(props: {
  templates: Template[];
  selected?: string | null;
  onSelect: (t: Template) => void;
  onFavorite?: (t: Template) => void;
  testid?: string;
}) {
  return (
    <ul class="preset-list" data-testid={props.testid ?? 'preset-list'}>
      <For each={props.templates} fallback={<li class="muted">No templates match.</li>}>
        {(t) => (
          <li
            classList={{ selected: props.selected === `${t.scope}:${t.slug}` }}
            data-testid={`preset-item-${t.slug}`}
          >
            <Show when={props.onFavorite} fallback={<span aria-hidden="true">{t.favorite ? '★' : ''}</span>}>
              <button
                type="button"
                class="star"
                aria-pressed={t.favorite}
                disabled={!apiReachable()}
                aria-label={t.favorite ? `Unfavorite ${t.title}` : `Favorite ${t.title}`}
                onClick={() => props.onFavorite?.(t)}
                data-testid={`preset-favorite-${t.slug}`}
              >
                {t.favorite ? '★' : '☆'}
              </button>
            </Show>
            <button
              type="button"
              class="link"
              onClick={() => props.onSelect(t)}
              data-testid={`preset-open-${t.slug}`}
            >
              {t.title}
            </button>
            <span class="muted small">
              {' '}
              {t.scope} · {t.version}
              <Show when={t.lastUsedAt}> · used {formatTime(t.lastUsedAt)}</Show>
            </span>
          </li>
        )}
      </For>
    </ul>
  );
}
