import { createMemo, createResource, createSignal, Show } from 'solid-js';
import { createStore } from 'solid-js/store';
import type { Template } from '../../../../contracts/presets.ts';
import { listTemplates, refOf, setFavorite, type TemplateFilters } from '../../api/presets.ts';
import { errorMessage } from '../../lib/format.ts';
import { allTags, latestOnly, matchesFilters, recentlyUsed, sortTemplates } from '../../lib/preset-list.ts';
import { PresetFilters } from './PresetFilters.tsx';
import { PresetList } from './PresetList.tsx';
import { PresetPreview } from './PresetPreview.tsx';

/**
 * The submit form's preset drawer: filters, recently used, the catalog (favorites first), a read-only
 * preview of the selected template and "Apply" (which opens the inputs dialog, owned by the form).
 */
export function PresetDrawer(props: { onApply: (t: Template) => void; onClose: () => void }) {
  const [filters, setFilters] = createStore<TemplateFilters>({ scope: '', q: '', favorites: false });
  // The search waits for a pause in typing before it asks the server.
  const [q, setQ] = createSignal('');
  let timer: ReturnType<typeof setTimeout> | undefined;
  const change = (patch: Partial<TemplateFilters>) => {
    setFilters(patch);
    if ('q' in patch) {
      clearTimeout(timer);
      timer = setTimeout(() => setQ(patch.q ?? ''), 250);
    }
  };
  const query = () => ({ scope: filters.scope, tag: filters.tag, favorites: filters.favorites, q: q() });
  // Failures are part of the answer (a thrown resource would take the whole form down).
  const [catalog, { mutate }] = createResource(query, (f) =>
    listTemplates(f).then(
      (items) => ({ items, error: null as string | null }),
      (e) => ({ items: [] as Template[], error: errorMessage(e) }),
    ),
  );
  const [everything] = createResource(() => listTemplates().catch(() => []));
  // Inactive templates cannot be applied (the Presets page still lists them for their owners).
  const shown = createMemo(() =>
    sortTemplates(
      latestOnly((catalog()?.items ?? []).filter((t) => t.isActive && matchesFilters(t, filters))),
    ),
  );
  const recent = createMemo(() => recentlyUsed(latestOnly((everything() ?? []).filter((t) => t.isActive))));
  const [selected, setSelected] = createSignal<Template | null>(null);
  const [failure, setFailure] = createSignal<string | null>(null);

  const favorite = async (t: Template) => {
    setFailure(null);
    try {
      await setFavorite(t.slug, !t.favorite, refOf(t));
      mutate(
        (c) =>
          c && {
            ...c,
            items: c.items.map((x) =>
              x.slug === t.slug && x.scope === t.scope ? { ...x, favorite: !t.favorite } : x,
            ),
          },
      );
      if (selected()?.slug === t.slug) setSelected({ ...t, favorite: !t.favorite });
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };

  return (
    <aside class="drawer card" aria-label="Presets" data-testid="preset-drawer">
      <div class="page-head">
        <h2>Presets</h2>
        <button
          type="button"
          class="secondary small"
          onClick={props.onClose}
          data-testid="preset-drawer-close"
        >
          Close
        </button>
      </div>
      <PresetFilters filters={filters} tags={allTags(everything() ?? [])} onChange={change} />
      <Show when={recent().length && !filters.q && !filters.tag && !filters.favorites && !filters.scope}>
        <h3>Recently used</h3>
        <PresetList templates={recent()} onSelect={setSelected} testid="preset-recent" />
      </Show>
      <h3>Catalog</h3>
      <Show when={failure() ?? catalog()?.error}>
        {(msg) => (
          <p class="form-error" role="alert" data-testid="preset-drawer-error">
            {msg()}
          </p>
        )}
      </Show>
      <Show when={catalog()} fallback={<p class="muted">Loading…</p>}>
        <PresetList
          templates={shown()}
          selected={selected() ? `${selected()!.scope}:${selected()!.slug}` : null}
          onSelect={setSelected}
          onFavorite={favorite}
        />
      </Show>
      <Show when={selected()}>
        {(t) => (
          <>
            <div class="actions sticky-actions">
              <button type="button" onClick={() => props.onApply(t())} data-testid="preset-apply">
                Apply {t().title}…
              </button>
            </div>
            <PresetPreview template={t()} />
          </>
        )}
      </Show>
    </aside>
  );
}
