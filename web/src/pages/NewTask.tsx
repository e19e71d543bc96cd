import { useNavigate } from '@solidjs/router';
import { createMemo, createResource, createSignal, For, Show } from 'solid-js';
import { createStore } from 'solid-js/store';
import type { ExpandResult, Template } from '../../../contracts/presets.ts';
import { efforts, runtimes } from '../../../contracts/task.ts';
import { ApiError } from '../api/client.ts';
import { getDefaults, getSkills, submitJob } from '../api/jobs.ts';
import { describedBy, Field } from '../components/Field.tsx';
import { InputsDialog } from '../components/presets/InputsDialog.tsx';
import { PresetDrawer } from '../components/presets/PresetDrawer.tsx';
import { SaveTemplateDialog } from '../components/presets/SaveTemplateDialog.tsx';
import { StepEditor } from '../components/StepEditor.tsx';
import { errorMessage } from '../lib/format.ts';
import { type ApplyMode, applyExpanded } from '../lib/preset-apply.ts';
import { canOperate } from '../lib/session.ts';
import {
  buildRequest,
  checkForm,
  emptyForm,
  type FieldErrors,
  fieldForIssue,
  submissionKeys,
} from '../lib/task-form.ts';

const publishChoices = ['pr', 'branch', 'none'] as const;
const newKey = () =>
  typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;

/** The typed submit form: checks locally with the shared contract, sends nothing while invalid. */
export function NewTask() {
  const navigate = useNavigate();
  const [form, setForm] = createStore(emptyForm());
  const initial = emptyForm();
  // Server defaults fill only the fields the user has not changed while they were loading.
  const [defaults] = createResource(async () => {
    const d = await getDefaults();
    const fresh = emptyForm(d);
    for (const key of ['runtime', 'repository', 'publishMode'] as const)
      if (form[key] === initial[key]) setForm(key, fresh[key]);
    return d;
  });
  const [skills] = createResource(() =>
    getSkills()
      .then((r) => r.items)
      .catch(() => []),
  );
  const [attempted, setAttempted] = createSignal(false);
  const [serverErrors, setServerErrors] = createSignal<FieldErrors>({});
  const [busy, setBusy] = createSignal(false);
  const [formError, setFormError] = createSignal<string | null>(null);
  const keyFor = submissionKeys(newKey);

  // Presets: the drawer, the template being applied (its inputs dialog), the rows picked for a new template.
  const [drawerOpen, setDrawerOpen] = createSignal(false);
  const [applying, setApplying] = createSignal<Template | null>(null);
  const [picked, setPicked] = createSignal<ReadonlySet<number>>(new Set());
  const [saveOpen, setSaveOpen] = createSignal(false);
  const selection = {
    has: (key: number) => picked().has(key),
    toggle: (key: number, on: boolean) => {
      const next = new Set(picked());
      if (on) next.add(key);
      else next.delete(key);
      setPicked(next);
    },
  };
  const pickedSteps = () => form.steps.filter((s) => picked().has(s.key));
  const applied = (result: ExpandResult, mode: ApplyMode) => {
    const next = applyExpanded(form, result, mode);
    setForm('steps', next.steps);
    setForm('appliedTemplates', next.appliedTemplates);
    setApplying(null);
    setDrawerOpen(false);
  };

  const ctx = () => ({
    defaultRuntime: defaults()?.defaultRuntime ?? 'codex',
    defaultRepository: defaults()?.defaultRepository ?? null,
  });
  const clientErrors = createMemo(() => (attempted() ? checkForm(form, ctx()) : {}));
  const errors = () => ({ ...serverErrors(), ...clientErrors() });
  const preview = createMemo(() => JSON.stringify(buildRequest(form).body, null, 2));
  const runtimeDefaults = () => defaults()?.runtimes?.[form.runtime];

  const focusFirstError = () =>
    queueMicrotask(() => document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());

  const submit = async (ev: SubmitEvent) => {
    ev.preventDefault();
    setAttempted(true);
    setServerErrors({});
    setFormError(null);
    if (Object.keys(checkForm(form, ctx())).length > 0) return focusFirstError();
    setBusy(true);
    try {
      const { body } = buildRequest(form);
      const job = await submitJob(body, keyFor(body));
      navigate(`/tasks/queue/${job.id}`);
    } catch (e) {
      if (e instanceof ApiError && e.issues.length > 0) {
        const mapped: FieldErrors = {};
        for (const issue of e.issues) mapped[fieldForIssue(issue.path)] ??= issue.message;
        setServerErrors(mapped);
        setFormError(mapped._form ?? 'The server rejected the task: see the marked fields.');
        focusFirstError();
      } else setFormError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const text = (
    key: 'model' | 'repository' | 'startingBranch' | 'newBranch' | 'priority' | 'maxAttempts' | 'affinityKey',
    label: string,
    extra: { hint?: string; placeholder?: string; inputmode?: 'numeric' } = {},
  ) => (
    <Field id={key} label={label} error={errors()[key]} hint={extra.hint}>
      <input
        id={key}
        value={form[key]}
        placeholder={extra.placeholder}
        inputmode={extra.inputmode}
        onInput={(e) => setForm(key, e.currentTarget.value)}
        data-testid={`field-${key}`}
        {...describedBy(key, errors()[key])}
      />
    </Field>
  );

  return (
    <section>
      <h1>New task</h1>
      <Show when={!canOperate()}>
        <p class="notice">Your role can read jobs but not submit them.</p>
      </Show>
      <div class="form-layout">
        <form onSubmit={submit} novalidate data-testid="task-form" class="stack">
          <Show when={formError()}>
            <p class="form-error" role="alert" data-testid="form-error">
              {formError()}
            </p>
          </Show>
          <Field id="runtime" label="Runtime" error={errors().runtime}>
            <select
              id="runtime"
              value={form.runtime}
              onChange={(e) => setForm('runtime', e.currentTarget.value)}
              data-testid="field-runtime"
              {...describedBy('runtime', errors().runtime)}
            >
              <For each={runtimes}>{(r) => <option value={r}>{r}</option>}</For>
            </select>
          </Field>
          <div class="preset-bar">
            <button
              type="button"
              class="secondary"
              aria-expanded={drawerOpen()}
              onClick={() => setDrawerOpen(!drawerOpen())}
              data-testid="open-presets"
            >
              Presets…
            </button>
            <button
              type="button"
              class="secondary"
              disabled={pickedSteps().length === 0}
              onClick={() => setSaveOpen(true)}
              data-testid="save-as-template"
            >
              Save {pickedSteps().length || ''} selected as template…
            </button>
          </div>
          <Show when={form.appliedTemplates.length}>
            <p class="muted" data-testid="applied-templates">
              Applied:{' '}
              <For each={form.appliedTemplates}>
                {(t) => (
                  <span class="tag mono" title={(t.requiredCapabilities ?? []).join(', ')}>
                    {`${t.slug}@${t.version}`}
                  </span>
                )}
              </For>
            </p>
          </Show>
          <StepEditor
            form={form}
            setForm={setForm}
            errors={errors()}
            skills={skills() ?? []}
            selection={selection}
          />
          <div class="row">
            {text('model', 'Model override', { placeholder: runtimeDefaults()?.model ?? 'runtime default' })}
            <Field id="effort" label="Effort override" error={errors().effort}>
              <select
                id="effort"
                value={form.effort}
                onChange={(e) => setForm('effort', e.currentTarget.value)}
                data-testid="field-effort"
                {...describedBy('effort', errors().effort)}
              >
                <option value="">default ({runtimeDefaults()?.effort ?? 'runtime default'})</option>
                <For each={efforts}>{(x) => <option value={x}>{x}</option>}</For>
              </select>
            </Field>
          </div>
          {text('repository', 'Repository', {
            placeholder: 'owner/repo',
            hint: 'owner/repo, https://host/path or git@host:path — no credentials',
          })}
          <div class="row">
            {text('startingBranch', 'Starting branch', { placeholder: 'repository default' })}
            {text('newBranch', 'New branch', { placeholder: 'generated' })}
          </div>
          <Field id="publishMode" label="Publish mode" error={errors().publishMode}>
            <select
              id="publishMode"
              value={form.publishMode}
              onChange={(e) => setForm('publishMode', e.currentTarget.value)}
              data-testid="field-publishMode"
              {...describedBy('publishMode', errors().publishMode)}
            >
              <For each={publishChoices}>{(m) => <option value={m}>{m}</option>}</For>
            </select>
          </Field>
          <div class="row">
            {text('priority', 'Priority', { inputmode: 'numeric', hint: 'integer; higher runs first' })}
            {text('maxAttempts', 'Max attempts', { inputmode: 'numeric' })}
            {text('affinityKey', 'Affinity key', { placeholder: 'optional' })}
          </div>
          <button type="submit" disabled={busy() || !canOperate()} data-testid="submit-task">
            {busy() ? 'Submitting…' : 'Submit task'}
          </button>
        </form>
        <aside class="preview">
          <h2>Request preview</h2>
          <pre data-testid="request-preview">{preview()}</pre>
        </aside>
      </div>
      <Show when={drawerOpen()}>
        <PresetDrawer onApply={setApplying} onClose={() => setDrawerOpen(false)} />
      </Show>
      <InputsDialog
        template={applying()}
        context={{ repository: form.repository, instructions: form.steps[0]?.instructions ?? '' }}
        onApplied={applied}
        onClose={() => setApplying(null)}
      />
      <SaveTemplateDialog open={saveOpen()} steps={pickedSteps()} onClose={() => setSaveOpen(false)} />
    </section>
  );
}
