import { useNavigate, useSearchParams } from '@solidjs/router';
import { createEffect, createMemo, createResource, createSignal, For, Show, untrack } from 'solid-js';
import { createStore } from 'solid-js/store';
import {
  fleetMarks,
  poolsFor,
  publishNeeds,
  runtimeNeeds,
  servedDefault,
  unservedReason,
} from '../../../contracts/fleet.ts';
import type { ExpandResult, Template } from '../../../contracts/presets.ts';
import { redactDeep } from '../../../contracts/secrets.ts';
import type { PublishMode, Runtime } from '../../../contracts/task.ts';
import { ApiError } from '../api/client.ts';
import { getDefaults, getFleet, getJob, getSkills, submitJob } from '../api/jobs.ts';
import { ErrorSummary } from '../components/ErrorSummary.tsx';
import { InputsDialog } from '../components/presets/InputsDialog.tsx';
import { PresetDrawer } from '../components/presets/PresetDrawer.tsx';
import { SaveTemplateDialog } from '../components/presets/SaveTemplateDialog.tsx';
import { TaskFields } from '../components/TaskFields.tsx';
import { errorMessage } from '../lib/format.ts';
import { createPolledResource } from '../lib/poll.ts';
import { type ApplyMode, applyExpanded } from '../lib/preset-apply.ts';
import { canMutate, canOperate } from '../lib/session.ts';
import {
  applyDefaults,
  buildRequest,
  checkForm,
  emptyForm,
  type FieldErrors,
  fieldForIssue,
  submissionKeys,
} from '../lib/task-form.ts';
import { envelopeOfJob, formFromRequest } from '../lib/task-prefill.ts';

const newKey = () =>
  typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;

const FLEET_POLL_MS = 10_000;

/** The typed submit form: checks locally with the shared contract, sends nothing while invalid. */
export function NewTask() {
  const navigate = useNavigate();
  const [form, setForm] = createStore(emptyForm());
  const [defaults] = createResource(async () => {
    const d = await getDefaults();
    applyDefaults(form, setForm, d);
    return d;
  });
  // Fields the user changed (or a clone set) keep their value; the others follow the fleet (below).
  const touched = new Set<string>();
  // "Clone to form" on a job page opens `?from=<jobId>`: the form starts as that job's task.
  const [params] = useSearchParams();
  const [cloned] = createResource(
    () => (typeof params.from === 'string' ? params.from : null),
    async (jobId) => {
      const job = await getJob(jobId);
      setForm(formFromRequest(envelopeOfJob(job)));
      touched.add('runtime').add('publishMode');
      return job;
    },
  );
  const [skills] = createResource(() =>
    getSkills()
      .then((r) => r.items)
      .catch(() => []),
  );
  // What the live workers serve marks the choices; without an answer nothing is marked. Re-read while the
  // form is open: workers come and go, and a failed read is how the page learns the API is unreachable.
  const [fleet] = createPolledResource(() => true, getFleet, FLEET_POLL_MS);
  const repositoryNow = () => form.repository.trim() || defaults()?.defaultRepository || null;
  const marks = createMemo(() => {
    const f = fleet();
    return f ? fleetMarks(f.pools, repositoryNow(), skills() ?? []) : undefined;
  });
  // Each choice may be served alone and the combination not (codex on one pool, gh on another).
  const comboReason = createMemo(() => {
    const f = fleet();
    if (!f) return null;
    const skillNeeds = form.steps.flatMap(
      (s) => (skills() ?? []).find((k) => k.id === s.skillId.trim())?.requiredCapabilities ?? [],
    );
    const needs = [...runtimeNeeds(form.runtime), ...publishNeeds(form.publishMode), ...skillNeeds];
    return unservedReason(poolsFor(f.pools, repositoryNow()), needs, repositoryNow());
  });
  // Untouched choices follow the fleet to one a worker serves.
  createEffect(() => {
    const m = marks();
    if (!m || defaults.loading) return;
    untrack(() => {
      if (!touched.has('runtime')) setForm('runtime', servedDefault(m.runtimes, form.runtime as Runtime));
      if (!touched.has('publishMode'))
        setForm('publishMode', servedDefault(m.publishModes, form.publishMode as PublishMode));
    });
  });
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
  // The preview is for reading and sharing: a credential typed into any field shows redacted.
  const preview = createMemo(() => JSON.stringify(redactDeep(buildRequest(form).body), null, 2));
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

  return (
    <section>
      <h1>New task</h1>
      <Show when={!canOperate()}>
        <p class="notice">Your role can read jobs but not submit them.</p>
      </Show>
      <Show when={cloned()}>
        {(j) => (
          <p class="muted" data-testid="cloned-from">
            Filled from job <span class="mono">{j().id}</span> ({j().title}): change what you need, then
            submit.
          </p>
        )}
      </Show>
      <Show when={cloned.error}>
        <p class="form-error" role="alert">
          Could not load the job to clone: {errorMessage(cloned.error)}
        </p>
      </Show>
      <div class="form-layout">
        <form
          onSubmit={submit}
          onChange={(e) => touched.add((e.target as HTMLElement).id)}
          novalidate
          data-testid="task-form"
          class="stack"
        >
          <Show when={formError()}>
            <p class="form-error" role="alert" data-testid="form-error">
              {formError()}
            </p>
          </Show>
          <ErrorSummary errors={attempted() ? errors() : {}} />
          <TaskFields
            form={form}
            setForm={setForm}
            errors={errors()}
            skills={skills() ?? []}
            runtimeDefaults={runtimeDefaults()}
            fleet={marks()}
            selection={selection}
            beforeSteps={
              <>
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
                    disabled={pickedSteps().length === 0 || !canMutate()}
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
              </>
            }
          />
          <Show when={marks() && comboReason()}>
            <p class="field-warning" data-testid="unserved-combination">
              This task would wait: {comboReason()}.
            </p>
          </Show>
          <button type="submit" disabled={busy() || !canMutate()} data-testid="submit-task">
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
