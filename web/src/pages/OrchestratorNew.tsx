import { A, useNavigate } from '@solidjs/router';
import { createMemo, createResource, createSignal, For, Show } from 'solid-js';
import { createStore } from 'solid-js/store';
import { orchestratorPriorities } from '../../../contracts/orchestrator-run.ts';
import { type PublishMode, publishModes } from '../../../contracts/task.ts';
import { ApiError } from '../api/client.ts';
import { listServices, submitRun } from '../api/orchestrator.ts';
import { ErrorSummary } from '../components/ErrorSummary.tsx';
import { describedBy, Field } from '../components/Field.tsx';
import { errorMessage } from '../lib/format.ts';
import {
  checkRunForm,
  emptyRunForm,
  type RunFormErrors,
  runBody,
  runFormErrorsFromIssues,
} from '../lib/orchestrator-view.ts';
import { canMutate, canOperate } from '../lib/session.ts';

const targets = {
  targetService: { label: 'Service', id: 'targetService' },
  instruction: { label: 'Instruction', id: 'instruction' },
  priority: { label: 'Priority', id: 'priority' },
  approvalToken: { label: 'Approval token', id: 'approvalToken' },
  publish: { label: 'Publish the fix', id: 'publish' },
};

const publishLabels: Record<PublishMode, string> = {
  none: 'No: the fix stays in the service’s files only',
  branch: 'Push a branch',
  pr: 'Open a pull request',
};

/**
 * `/tasks/orchestrator/new`: which service (from the profiles; protected ones marked), what to do, how
 * urgent, whether the verified fix is pushed as a branch or a pull request, and for a protected service with a token, the token that approves the run with its submission.
 * Checked with the API's own schema before submitting; the API's 400s land on the same fields.
 */
export function OrchestratorNew() {
  const navigate = useNavigate();
  const [services] = createResource(listServices);
  const [form, setForm] = createStore(emptyRunForm());
  const [attempted, setAttempted] = createSignal(false);
  const [serverErrors, setServerErrors] = createSignal<RunFormErrors>({});
  const [formError, setFormError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const service = () => services()?.find((s) => s.name === form.targetService);
  const clientErrors = createMemo(() => (attempted() ? checkRunForm(form, services()) : {}));
  const errors = (): RunFormErrors => ({ ...serverErrors(), ...clientErrors() });
  const focusFirstError = () =>
    queueMicrotask(() => document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());

  const submit = async (ev: SubmitEvent) => {
    ev.preventDefault();
    setAttempted(true);
    setServerErrors({});
    setFormError(null);
    if (Object.keys(checkRunForm(form, services())).length > 0) return focusFirstError();
    setBusy(true);
    try {
      const run = await submitRun(runBody(form, service()));
      navigate(`/tasks/orchestrator/${run.runId}`);
    } catch (e) {
      if (e instanceof ApiError && e.issues.length > 0) {
        const mapped = runFormErrorsFromIssues(e.issues);
        setServerErrors(mapped);
        setFormError(mapped._form ?? 'The server rejected the run: see the marked fields.');
        focusFirstError();
      } else if (e instanceof ApiError && e.status === 403 && form.approvalToken) {
        setServerErrors({ approvalToken: e.message });
        focusFirstError();
      } else setFormError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <div class="page-head">
        <h1>New orchestrator run</h1>
        <A href="/tasks/orchestrator" class="muted">
          Back to runs
        </A>
      </div>
      <Show when={!canOperate()}>
        <p class="notice">Your role can read orchestrator runs but not start them.</p>
      </Show>
      <Show when={services.error}>
        <p class="form-error" role="alert">
          Could not load the services: {errorMessage(services.error)}
        </p>
      </Show>
      <form onSubmit={submit} novalidate class="stack narrow-form" data-testid="orchestrator-form">
        <Show when={formError()}>
          <p class="form-error" role="alert" data-testid="form-error">
            {formError()}
          </p>
        </Show>
        <ErrorSummary errors={attempted() ? errors() : {}} targets={targets} subject="the run" />
        <Field
          id="targetService"
          label="Service"
          error={errors().targetService}
          hint={
            service()?.protected
              ? 'Protected: the run waits for an operator’s approval before any patch.'
              : undefined
          }
        >
          <select
            id="targetService"
            value={form.targetService}
            onChange={(e) => setForm('targetService', e.currentTarget.value)}
            {...describedBy('targetService', errors().targetService)}
            data-testid="field-targetService"
          >
            <option value="">Pick a service…</option>
            <For each={services() ?? []}>
              {(s) => (
                <option value={s.name} selected={s.name === form.targetService}>
                  {s.name} ({s.runner}){s.protected ? ' · protected' : ''}
                </option>
              )}
            </For>
          </select>
        </Field>
        <Field
          id="instruction"
          label="Instruction"
          error={errors().instruction}
          hint="What is wrong and what to fix, e.g. “the health check fails since the port changed: fix the config”."
        >
          <textarea
            id="instruction"
            rows={5}
            value={form.instruction}
            onInput={(e) => setForm('instruction', e.currentTarget.value)}
            {...describedBy('instruction', errors().instruction)}
            data-testid="field-instruction"
          />
        </Field>
        <Field id="priority" label="Priority" error={errors().priority}>
          <select
            id="priority"
            value={form.priority}
            onChange={(e) =>
              setForm('priority', e.currentTarget.value as (typeof orchestratorPriorities)[number])
            }
            {...describedBy('priority', errors().priority)}
            data-testid="field-priority"
          >
            <For each={orchestratorPriorities}>{(p) => <option value={p}>{p}</option>}</For>
          </select>
        </Field>
        <Field
          id="publish"
          label="Publish the fix"
          error={errors().publish}
          hint="Once verified, the patched files are committed to moonmind/orchestrator-… in the service’s git checkout and pushed (a pull request against its base branch with “pr”)."
        >
          <select
            id="publish"
            value={form.publish}
            onChange={(e) => setForm('publish', e.currentTarget.value as PublishMode)}
            {...describedBy('publish', errors().publish)}
            data-testid="field-publish"
          >
            <For each={publishModes}>{(m) => <option value={m}>{publishLabels[m]}</option>}</For>
          </select>
        </Field>
        <Show when={service()?.protected && service()?.requiresToken}>
          <Field
            id="approvalToken"
            label="Approval token (optional)"
            error={errors().approvalToken}
            hint="The service’s token approves the run with its submission; without it, the run waits for an approval."
          >
            <input
              id="approvalToken"
              type="password"
              autocomplete="off"
              value={form.approvalToken}
              onInput={(e) => setForm('approvalToken', e.currentTarget.value)}
              {...describedBy('approvalToken', errors().approvalToken)}
              data-testid="field-approvalToken"
            />
          </Field>
        </Show>
        <button type="submit" disabled={busy() || !canMutate()} data-testid="submit-run">
          {busy() ? 'Starting…' : 'Start run'}
        </button>
      </form>
    </section>
  );
}
