import { createSignal, For, Show } from 'solid-js';
import { createStore } from 'solid-js/store';
import { type Template, templateScopes } from '../../../../contracts/presets.ts';
import { ApiError, apiReachable } from '../../api/client.ts';
import { createTemplate } from '../../api/presets.ts';
import { errorMessage } from '../../lib/format.ts';
import { move } from '../../lib/task-form.ts';
import {
  bodyFromDraft,
  type Errors,
  emptyTemplateStep,
  type TemplateDraft,
  type TemplateStepDraft,
} from '../../lib/template-draft.ts';
import { describedBy, Field } from '../Field.tsx';

/**
 * A new template, or a new version of one (seeded from the latest version, the version bumped; slug and
 * scope fixed). Checked with `templateBodySchema` before it is sent.
 */
export function TemplateEditor(props: {
  initial: TemplateDraft;
  newVersion: boolean;
  canGlobal: boolean;
  onSaved: (t: Template) => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = createStore<TemplateDraft>(structuredClone(props.initial));
  const [errors, setErrors] = createSignal<Errors>({});
  const [busy, setBusy] = createSignal(false);

  const save = async (ev: SubmitEvent) => {
    ev.preventDefault();
    const built = bodyFromDraft(draft);
    if ('errors' in built) return setErrors(built.errors);
    setErrors({});
    setBusy(true);
    try {
      props.onSaved(await createTemplate(built.body));
    } catch (e) {
      const mapped: Errors = {};
      if (e instanceof ApiError)
        for (const issue of e.issues)
          mapped[issue.path.split('.').slice(0, 3).join('.') || '_form'] ??= issue.message;
      setErrors({ ...mapped, _form: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  type TextKey = 'slug' | 'version' | 'team' | 'title' | 'tags' | 'requiredCapabilities';
  const text = (key: TextKey, label: string, opts: { hint?: string; readonly?: boolean } = {}) => (
    <Field id={`tpl-${key}`} label={label} error={errors()[key]} hint={opts.hint}>
      <input
        id={`tpl-${key}`}
        value={draft[key]}
        readOnly={opts.readonly}
        onInput={(e) => setDraft(key, e.currentTarget.value)}
        data-testid={`template-${key}`}
        {...describedBy(`tpl-${key}`, errors()[key])}
      />
    </Field>
  );
  const setStep = (i: number, part: keyof TemplateStepDraft, value: string) =>
    setDraft('steps', i, part, value);

  return (
    <form class="stack card" onSubmit={save} novalidate data-testid="template-editor">
      <h2>{props.newVersion ? `New version of ${draft.slug}` : 'New template'}</h2>
      <div class="row">
        {text('slug', 'Slug', { readonly: props.newVersion, hint: 'lowercase letters, digits and dashes' })}
        {text('version', 'Version', { hint: 'semver; released versions never change' })}
      </div>
      <div class="row">
        <Field id="tpl-scope" label="Scope" error={errors().scope}>
          <select
            id="tpl-scope"
            value={draft.scope}
            disabled={props.newVersion}
            onChange={(e) => setDraft('scope', e.currentTarget.value as TemplateDraft['scope'])}
            data-testid="template-scope"
          >
            <For each={templateScopes.filter((s) => s !== 'global' || props.canGlobal || draft.scope === s)}>
              {(s) => <option value={s}>{s}</option>}
            </For>
          </select>
        </Field>
        <Show when={draft.scope === 'team'}>{text('team', 'Team', { readonly: props.newVersion })}</Show>
      </div>
      {text('title', 'Title')}
      <Field id="tpl-description" label="Description" error={errors().description}>
        <textarea
          id="tpl-description"
          rows={3}
          value={draft.description}
          onInput={(e) => setDraft('description', e.currentTarget.value)}
          data-testid="template-description"
        />
      </Field>
      <div class="row">
        {text('tags', 'Tags', { hint: 'comma-separated' })}
        {text('requiredCapabilities', 'Required capabilities', { hint: 'comma-separated' })}
      </div>
      <Field
        id="tpl-inputs"
        label="Inputs (JSON)"
        error={errors().inputs}
        hint='[{ "name", "label", "type": text|textarea|markdown|enum|boolean|user|team|repo_path, "required", "default", "options" }]'
      >
        <textarea
          id="tpl-inputs"
          class="mono"
          rows={5}
          value={draft.inputs}
          onInput={(e) => setDraft('inputs', e.currentTarget.value)}
          data-testid="template-inputs"
          {...describedBy('tpl-inputs', errors().inputs)}
        />
      </Field>
      <fieldset class="steps">
        <legend>Steps</legend>
        <Show when={errors().steps}>
          <p class="field-error">{errors().steps}</p>
        </Show>
        <For each={draft.steps}>
          {(step, i) => {
            const id = (part: string) => `tpl-step-${i()}-${part}`;
            const err = (part: string) => errors()[`steps.${i()}.${part}`];
            return (
              <div class="step" data-testid={`template-step-${i()}`}>
                <div class="step-head">
                  <h3>Step {i() + 1}</h3>
                  <div class="step-actions">
                    <button
                      type="button"
                      class="secondary small"
                      disabled={i() === 0}
                      aria-label={`Move step ${i() + 1} up`}
                      onClick={() => setDraft('steps', move(draft.steps, i(), -1))}
                    >
                      ↑
                    </button>
                    <button
                      type="button"
                      class="secondary small"
                      disabled={draft.steps.length === 1}
                      onClick={() =>
                        setDraft(
                          'steps',
                          draft.steps.filter((_, k) => k !== i()),
                        )
                      }
                    >
                      Remove
                    </button>
                  </div>
                </div>
                <Field id={id('title')} label="Title" error={err('title')}>
                  <input
                    id={id('title')}
                    value={step.title}
                    onInput={(e) => setStep(i(), 'title', e.currentTarget.value)}
                  />
                </Field>
                <Field id={id('instructions')} label="Instructions" error={err('instructions')}>
                  <textarea
                    id={id('instructions')}
                    rows={3}
                    value={step.instructions}
                    onInput={(e) => setStep(i(), 'instructions', e.currentTarget.value)}
                    data-testid={id('instructions')}
                    {...describedBy(id('instructions'), err('instructions'))}
                  />
                </Field>
                <div class="row">
                  <Field id={id('skillId')} label="Skill" error={err('skillId')}>
                    <input
                      id={id('skillId')}
                      value={step.skillId}
                      onInput={(e) => setStep(i(), 'skillId', e.currentTarget.value)}
                    />
                  </Field>
                  <Field id={id('skillArgs')} label="Skill args (JSON object)" error={err('skillArgs')}>
                    <input
                      id={id('skillArgs')}
                      class="mono"
                      value={step.skillArgs}
                      onInput={(e) => setStep(i(), 'skillArgs', e.currentTarget.value)}
                    />
                  </Field>
                </div>
              </div>
            );
          }}
        </For>
        <button
          type="button"
          class="secondary"
          onClick={() => setDraft('steps', [...draft.steps, emptyTemplateStep()])}
        >
          Add step
        </button>
      </fieldset>
      <Show when={errors()._form}>
        <p class="form-error" role="alert" data-testid="template-editor-error">
          {errors()._form}
        </p>
      </Show>
      <div class="dialog-actions">
        <button type="button" class="secondary" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="submit" disabled={busy() || !apiReachable()} data-testid="template-save">
          {busy() ? 'Saving…' : props.newVersion ? 'Save new version' : 'Create template'}
        </button>
      </div>
    </form>
  );
}
