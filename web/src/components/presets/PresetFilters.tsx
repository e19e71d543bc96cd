import { For } from 'solid-js';
import { type TemplateScope, templateScopes } from '../../../../contracts/presets.ts';
import type { TemplateFilters } from '../../api/presets.ts';

/** Search, scope tabs (all / global / team / personal), a tag and favorites only: for the drawer and page. */
export function PresetFilters(props: {
  filters: TemplateFilters;
  tags: string[];
  onChange: (patch: Partial<TemplateFilters>) => void;
}) {
  const tabs: (TemplateScope | '')[] = ['', ...templateScopes];
  return (
    <div class="preset-filters">
      <div class="tabs" role="tablist" aria-label="Scope">
        <For each={tabs}>
          {(scope) => (
            <button
              type="button"
              role="tab"
              class="secondary small"
              aria-selected={(props.filters.scope ?? '') === scope}
              onClick={() => props.onChange({ scope })}
              data-testid={`preset-scope-${scope || 'all'}`}
            >
              {scope || 'all'}
            </button>
          )}
        </For>
      </div>
      <div class="row">
        <label>
          Search
          <input
            type="search"
            value={props.filters.q ?? ''}
            placeholder="title, slug, description"
            onInput={(e) => props.onChange({ q: e.currentTarget.value })}
            data-testid="preset-search"
          />
        </label>
        <label>
          Tag
          <select
            value={props.filters.tag ?? ''}
            onChange={(e) => props.onChange({ tag: e.currentTarget.value || undefined })}
            data-testid="preset-tag"
          >
            <option value="">any</option>
            <For each={props.tags}>{(t) => <option value={t}>{t}</option>}</For>
          </select>
        </label>
        <label class="inline">
          <input
            type="checkbox"
            checked={!!props.filters.favorites}
            onChange={(e) => props.onChange({ favorites: e.currentTarget.checked })}
            data-testid="preset-favorites-only"
          />
          Favorites only
        </label>
      </div>
    </div>
  );
}
