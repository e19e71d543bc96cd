import { createEffect, createResource, createSignal, For, on, Show } from 'solid-js';
import type { Template } from '../../../../contracts/presets.ts';
import { deleteTemplate, getTemplateVersion, setFavorite, templateVersions } from '../../api/presets.ts';
import { errorMessage, formatTime } from '../../lib/format.ts';
import { Modal } from '../Modal.tsx';
import { PresetPreview } from './PresetPreview.tsx';

/**
 * One template: its versions (newest first), the chosen version read-only, favorite / unfavorite, and
 * (when the user may change it) "new version" and delete.
 */
export function PresetDetail(props: {
  slug: string;
  canChange: (t: Template) => boolean;
  onNewVersion: (latest: Template) => void;
  onChanged: () => void;
  onDeleted: () => void;
}) {
  const [versions, { refetch, mutate }] = createResource(
    () => props.slug,
    (slug) =>
      templateVersions(slug).then(
        (items) => ({ items, error: null as string | null }),
        (e) => ({ items: [] as Template[], error: errorMessage(e) }),
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
  const latest = () => versions()?.items[0] ?? null;
  const shown = () => chosen() ?? latest();

  const view = async (t: Template) => {
    setFailure(null);
    try {
      setChosen(await getTemplateVersion(t.slug, t.version));
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };
  const favorite = async () => {
    const t = latest();
    if (!t) return;
    setFailure(null);
    try {
      await setFavorite(t.slug, !t.favorite);
      mutate((v) => v && { ...v, items: v.items.map((x) => ({ ...x, favorite: !t.favorite })) });
      setChosen((c) => c && { ...c, favorite: !t.favorite });
      props.onChanged();
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };
  const remove = async () => {
    setFailure(null);
    try {
      await deleteTemplate(props.slug);
      props.onDeleted();
    } catch (e) {
      setFailure(errorMessage(e));
      void refetch();
    }
  };

  return (
    <div class="card" data-testid="preset-detail">
      <Show when={versions()} fallback={<p class="muted">Loading…</p>}>
        {(v) => (
          <Show
            when={shown()}
            fallback={<p class="form-error">{v().error ?? `No template ${props.slug}.`}</p>}
          >
            {(t) => (
              <>
                <div class="page-head">
                  <div class="row">
                    <button
                      type="button"
                      class="secondary small"
                      aria-pressed={!!latest()?.favorite}
                      onClick={favorite}
                      data-testid="preset-detail-favorite"
                    >
                      {latest()?.favorite ? '★ Favorite' : '☆ Favorite'}
                    </button>
                    <Show when={latest() && props.canChange(latest()!)}>
                      <button
                        type="button"
                        class="secondary small"
                        onClick={() => props.onNewVersion(latest()!)}
                        data-testid="preset-new-version"
                      >
                        New version…
                      </button>
                      <button
                        type="button"
                        class="danger small"
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
                <h3>Versions</h3>
                <table data-testid="preset-versions">
                  <thead>
                    <tr>
                      <th>Version</th>
                      <th>Created</th>
                      <th>By</th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={v().items}>
                      {(ver) => (
                        <tr
                          classList={{ selected: ver.version === t().version }}
                          data-testid={`preset-version-${ver.version}`}
                        >
                          <td>
                            <button type="button" class="link mono" onClick={() => view(ver)}>
                              {ver.version}
                            </button>
                          </td>
                          <td>{formatTime(ver.createdAt)}</td>
                          <td>{ver.createdBy ?? '—'}</td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
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
