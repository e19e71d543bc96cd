import { A } from '@solidjs/router';
import { createComputed, createSignal, For, on, Show } from 'solid-js';
import { createStore } from 'solid-js/store';
import type { Template } from '../../../../contracts/presets.ts';
import { ApiError, apiReachable } from '../../api/client.ts';
import { saveFromTask } from '../../api/presets.ts';
import { errorMessage } from '../../lib/format.ts';
import type { StepDraft } from '../../lib/task-form.ts';
import { type Errors, saveFromFormRequest } from '../../lib/template-draft.ts';
import { describedBy, Field } from '../Field.tsx';
import { Modal } from '../Modal.tsx';

/**
 * "Save as template": the form's selected steps become a new personal template (version 1.0.0) under a
 * slug, title and description; the created template is shown with a link to it.
 */
export function SaveTemplateDialog(props: { open: boolean; steps: StepDraft[]; onClose: () => void }) {
  const [meta, setMeta] = createStore({ slug: '', title: '', description: '' });
  const [errors, setErrors] = createSignal<Errors>({});
  const [busy, setBusy] = createSignal(false);
  const [created, setCreated] = createSignal<Template | null>(null);
  createComputed(
    on(
      () => props.open,
      (open) => {
        if (!open) return;
        setMeta({ slug: '', title: '', description: '' });
        setErrors({});
        setCreated(null);
      },
    ),
  );

  const save = async (ev: SubmitEvent) => {
    ev.preventDefault();
    const built = saveFromFormRequest(meta, props.steps);
    if ('errors' in built) return setErrors(built.errors);
    setErrors({});
    setBusy(true);
    try {
      setCreated(await saveFromTask(built.body));
    } catch (e) {
      const mapped: Errors = {};
      if (e instanceof ApiError)
        for (const issue of e.issues) mapped[issue.path.split('.')[0] || '_form'] ??= issue.message;
      setErrors({ ...mapped, _form: mapped._form ?? errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  const text = (key: 'slug' | 'title', label: string, hint?: string) => (
    <Field id={`save-${key}`} label={label} error={errors()[key]} hint={hint}>
      <input
        id={`save-${key}`}
        value={meta[key]}
        onInput={(e) => setMeta(key, e.currentTarget.value)}
        data-testid={`save-template-${key}`}
        {...describedBy(`save-${key}`, errors()[key])}
      />
    </Field>
  );
  const stepErrors = () => Object.entries(errors()).filter(([k]) => k.startsWith('steps'));

  return (
    <Modal
      open={props.open}
      title="Save as template"
      testid="save-template-dialog"
      onClose={props.onClose}
      wide
    >
      <Show
        when={created()}
        fallback={
          <form class="stack" onSubmit={save} novalidate>
            <p class="muted">
              {props.steps.length} selected step{props.steps.length === 1 ? '' : 's'} become a personal
              template, version 1.0.0.
            </p>
            {text('slug', 'Slug', 'lowercase letters, digits and dashes')}
            {text('title', 'Title')}
            <Field id="save-description" label="Description" error={errors().description}>
              <textarea
                id="save-description"
                rows={3}
                value={meta.description}
                onInput={(e) => setMeta('description', e.currentTarget.value)}
                data-testid="save-template-description"
              />
            </Field>
            <For each={stepErrors()}>
              {([key, msg]) => (
                <p class="field-error">
                  {key.replace(/^steps\.(\d+)\./, (_, i) => `selected step ${Number(i) + 1}: `)} {msg}
                </p>
              )}
            </For>
            <Show when={errors()._form}>
              <p class="form-error" role="alert" data-testid="save-template-error">
                {errors()._form}
              </p>
            </Show>
            <div class="dialog-actions">
              <button type="button" class="secondary" onClick={props.onClose}>
                Cancel
              </button>
              <button type="submit" disabled={busy() || !apiReachable()} data-testid="save-template-confirm">
                {busy() ? 'Saving…' : 'Save template'}
              </button>
            </div>
          </form>
        }
      >
        {(t) => (
          <div class="stack" data-testid="save-template-created">
            <p>
              Saved <strong>{t().title}</strong>{' '}
              <span class="mono" data-testid="save-template-created-id">{`${t().slug}@${t().version}`}</span>{' '}
              ({t().scope}, {t().steps.length} step{t().steps.length === 1 ? '' : 's'}).
            </p>
            <p>
              <A
                href={`/tasks/presets/${encodeURIComponent(t().slug)}?scope=${t().scope}`}
                data-testid="save-template-open"
              >
                Open it in Presets
              </A>
            </p>
            <div class="dialog-actions">
              <button type="button" onClick={props.onClose} data-testid="save-template-done">
                Done
              </button>
            </div>
          </div>
        )}
      </Show>
    </Modal>
  );
}
