import { createEffect, createResource, createSignal, For, on, Show } from 'solid-js';
import type { Template } from '../../../../contracts/presets.ts';
import { apiReachable } from '../../api/client.ts';
import {
  deleteTemplate,
  getTemplate,
  getTemplateVersion,
  setFavorite,
  type TemplateDetail,
  type TemplateRef,
} from '../../api/presets.ts';
import { errorMessage, formatTime } from '../../lib/format.ts';
import { Modal } from '../Modal.tsx';
import { PresetPreview } from './PresetPreview.tsx';

/**
 * One template: its versions (newest first), the chosen version read-only, favorite / unfavorite, and
 * (when the user may change it) "new version" and delete.
 */
export function PresetDetail(props: {
  slug: string;
  /** The scope (and team) the page was opened for; the server's pick when empty. */
  templateRef: TemplateRef;
  canChange: (t: Template) => boolean;
  onNewVersion: (latest: Template) => void;
  onChanged: () => void;
  onDeleted: () => void;
}) {
  const [detail, { refetch, mutate }] = createResource(
    () => ({ slug: props.slug, ref: props.templateRef }),
    (q) =>
      getTemplate(q.slug, q.ref).then(
        (d) => ({ detail: d as TemplateDetail | null, error: null as string | null }),
        (e) => ({ detail: null as TemplateDetail | null, error: errorMessage(e) as string | null }),
      ),
  );
  const [chosen, setChosen] = createSignal<Template | null>(null);
  const [failure, setFailure] = createSignal<string | null>(null);
  const [confirmDelete, setConfirmDelete] = createSignal(false);
  createEffect(
    on(
      () => props.slug,
      () => setChosen(null),
    ),
  );
  const latest = () => detail()?.detail?.latest ?? null;
  // Later calls name the template exactly (scope and team), as the list or the latest version says.
  const ref = (): TemplateRef => {
    const t = latest();
    return t ? { scope: t.scope, team: t.team } : props.templateRef;
  };
  const shown = () => chosen() ?? latest();

  const view = async (version: string) => {
    setFailure(null);
    if (version === latest()?.version) return setChosen(null);
    try {
      setChosen(await getTemplateVersion(props.slug, version, ref()));
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };
  const favorite = async () => {
    const t = latest();
    if (!t) return;
    setFailure(null);
    try {
      await setFavorite(t.slug, !t.favorite, ref());
      mutate((d) =>
        d?.detail ? { ...d, detail: { ...d.detail, latest: { ...t, favorite: !t.favorite } } } : d,
      );
      setChosen((c) => c && { ...c, favorite: !t.favorite });
      props.onChanged();
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };
  const remove = async () => {
    setFailure(null);
    try {
      await deleteTemplate(props.slug, ref());
      props.onDeleted();
    } catch (e) {
      setFailure(errorMessage(e));
      void refetch();
    }
  };

  return (
    <div class="card" data-testid="preset-detail">
      <Show when={detail()} fallback={<p class="muted">Loading…</p>}>
        {(d) => (
          <Show
            when={shown()}
            fallback={
              <p class="form-error" data-testid="preset-detail-error">
                {d().error ?? `No template ${props.slug}.`}
              </p>
            }
          >
            {(t) => (
              <>
                <div class="page-head">
                  <div class="actions">
                    <button
                      type="button"
                      class="secondary small"
                      aria-pressed={!!latest()?.favorite}
                      disabled={!apiReachable()}
                      onClick={favorite}
                      data-testid="preset-detail-favorite"
                    >
                      {latest()?.favorite ? '★ Favorite' : '☆ Favorite'}
                    </button>
                    <Show when={latest() && props.canChange(latest()!)}>
                      <button
                        type="button"
                        class="secondary small"
                        disabled={!apiReachable()}
                        onClick={() => props.onNewVersion(latest()!)}
                        data-testid="preset-new-version"
                      >
                        New version…
                      </button>
                      <button
                        type="button"
                        class="danger small"
                        disabled={!apiReachable()}
                        onClick={() => setConfirmDelete(true)}
                        data-testid="preset-delete"
                      >
                        Delete
                      </button>
                    </Show>
                  </div>
                </div>
                <Show when={failure()}>
                  <p class="form-error" role="alert" data-testid="preset-detail-error">
                    {failure()}
                  </p>
                </Show>
                <PresetPreview template={t()} />
                <p class="muted small" data-testid="preset-detail-released">
                  Released {formatTime(t().createdAt)}
                  <Show when={t().createdBy}> by {t().createdBy}</Show>
                </p>
                <h3>Versions</h3>
                <ul class="preset-list" data-testid="preset-versions">
                  <For each={d().detail?.versions ?? []}>
                    {(version) => (
                      <li
                        classList={{ selected: version === t().version }}
                        data-testid={`preset-version-${version}`}
                      >
                        <button type="button" class="link mono" onClick={() => view(version)}>
                          {version}
                        </button>
                        <Show when={version === latest()?.version}>
                          <span class="muted small">latest</span>
                        </Show>
                      </li>
                    )}
                  </For>
                </ul>
              </>
            )}
          </Show>
        )}
      </Show>
      <Modal
        open={confirmDelete()}
        title={`Delete ${props.slug}?`}
        testid="preset-delete-dialog"
        onClose={() => setConfirmDelete(false)}
      >
        <p>It leaves the catalog; tasks that applied it keep their steps.</p>
        <div class="dialog-actions">
          <button type="button" class="secondary" onClick={() => setConfirmDelete(false)}>
            Keep it
          </button>
          <button
            type="button"
            class="danger"
            disabled={!apiReachable()}
            onClick={() => {
              setConfirmDelete(false);
              void remove();
            }}
            data-testid="preset-delete-confirm"
          >
            Delete
          </button>
        </div>
      </Modal>
    </div>
  );
}
