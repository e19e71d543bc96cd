import { useNavigate, useParams, useSearchParams } from '@solidjs/router';
import { createMemo, createResource, createSignal, Show } from 'solid-js';
import { createStore } from 'solid-js/store';
import { type Template, templateScopes } from '../../../contracts/presets.ts';
import { apiReachable } from '../api/client.ts';
import { listTemplates, refOf, setFavorite, type TemplateFilters } from '../api/presets.ts';
import { PresetDetail } from '../components/presets/PresetDetail.tsx';
import { PresetFilters } from '../components/presets/PresetFilters.tsx';
import { PresetList } from '../components/presets/PresetList.tsx';
import { TemplateEditor } from '../components/presets/TemplateEditor.tsx';
import { errorMessage } from '../lib/format.ts';
import { allTags, latestOnly, matchesFilters, sortTemplates } from '../lib/preset-list.ts';
import { canOperate, session } from '../lib/session.ts';
import { draftFromTemplate, emptyDraft, type TemplateDraft } from '../lib/template-draft.ts';

/** The step-template catalog: browse and filter, one template's versions, favorites, new versions, delete. */
export function Presets() {
  const params = useParams<{ slug?: string }>();
  const [search] = useSearchParams<{ scope?: string; team?: string }>();
  const pageRef = () => ({
    scope: templateScopes.find((s) => s === search.scope),
    team: search.team || null,
  });
  const navigate = useNavigate();
  const [filters, setFilters] = createStore<TemplateFilters>({ scope: '', q: '', favorites: false });
  const [catalog, { refetch }] = createResource(
    () => ({ ...filters }),
    (f) =>
      listTemplates(f).then(
        (items) => ({ items, error: null as string | null }),
        (e) => ({ items: [] as Template[], error: errorMessage(e) }),
      ),
  );
  const shown = createMemo(() =>
    sortTemplates(latestOnly((catalog()?.items ?? []).filter((t) => matchesFilters(t, filters)))),
  );
  const [editing, setEditing] = createSignal<{ draft: TemplateDraft; newVersion: boolean } | null>(null);
  const [detailKey, setDetailKey] = createSignal(0);
  const isAdmin = () => session()?.user.role === 'admin';
  // The server has the last word (team membership); the buttons show for who may plausibly change it.
  const canChange = (t: Template) => canOperate() && (t.scope !== 'global' || isAdmin());
  const href = (t: Pick<Template, 'slug' | 'scope' | 'team'>) =>
    `/tasks/presets/${encodeURIComponent(t.slug)}?scope=${t.scope}${t.scope === 'team' && t.team ? `&team=${encodeURIComponent(t.team)}` : ''}`;

  const open = (t: Template) => {
    setEditing(null);
    navigate(href(t));
  };
  const favorite = async (t: Template) => {
    await setFavorite(t.slug, !t.favorite, refOf(t)).catch(() => undefined);
    void refetch();
  };
  const saved = (t: Template) => {
    setEditing(null);
    setDetailKey(detailKey() + 1);
    void refetch();
    navigate(href(t));
  };

  return (
    <section>
      <div class="page-head">
        <h1>Presets</h1>
        <Show when={canOperate()}>
          <button
            type="button"
            disabled={!apiReachable()}
            onClick={() => setEditing({ draft: emptyDraft('personal'), newVersion: false })}
            data-testid="preset-create"
          >
            New template
          </button>
        </Show>
      </div>
      <div class="presets-layout">
        <div class="card">
          <PresetFilters filters={filters} tags={allTags(catalog()?.items ?? [])} onChange={setFilters} />
          <Show when={catalog()?.error}>
            <p class="form-error" role="alert" data-testid="presets-error">
              {catalog()?.error}
            </p>
          </Show>
          <Show when={catalog()} fallback={<p class="muted">Loading…</p>}>
            <PresetList
              templates={shown()}
              selected={params.slug && search.scope ? `${search.scope}:${params.slug}` : null}
              onSelect={open}
              onFavorite={favorite}
              testid="presets-list"
            />
          </Show>
        </div>
        <div>
          <Show
            when={editing()}
            fallback={
              <Show when={params.slug} fallback={<p class="muted">Choose a template to see its versions.</p>}>
                {(slug) => (
                  <Show when={detailKey() + 1} keyed>
                    <PresetDetail
                      slug={slug()}
                      templateRef={pageRef()}
                      canChange={canChange}
                      onNewVersion={(t) => setEditing({ draft: draftFromTemplate(t), newVersion: true })}
                      onChanged={() => void refetch()}
                      onDeleted={() => {
                        void refetch();
                        navigate('/tasks/presets');
                      }}
                    />
                  </Show>
                )}
              </Show>
            }
          >
            {(e) => (
              <TemplateEditor
                initial={e().draft}
                newVersion={e().newVersion}
                canGlobal={isAdmin()}
                onSaved={saved}
                onCancel={() => setEditing(null)}
              />
            )}
          </Show>
        </div>
      </div>
    </section>
  );
}
