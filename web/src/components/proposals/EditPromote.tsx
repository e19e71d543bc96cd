import { createMemo, createResource, createSignal, Show } from 'solid-js';
import { createStore } from 'solid-js/store';
import type { Proposal } from '../../../../contracts/proposals.ts';
import { ApiError } from '../../api/client.ts';
import { getDefaults, getSkills } from '../../api/jobs.ts';
import { overrideIssuePath, promoteProposal } from '../../api/proposals.ts';
import { errorMessage } from '../../lib/format.ts';
import { canMutate } from '../../lib/session.ts';
import { checkForm, type FieldErrors } from '../../lib/task-form.ts';
import { fieldErrorsFromIssues, formFromRequest, requestFromForm } from '../../lib/task-prefill.ts';
import { TaskFields } from '../TaskFields.tsx';

/**
 * Edit-then-promote: the submit form's fields prefilled from the proposal's job envelope, checked like a
 * submission, sent as `taskCreateRequestOverride`; the server's issues land on the fields.
 */
export function EditPromote(props: {
  proposal: Proposal;
  onPromoted: (jobId: string) => void;
  onError: (e: unknown) => void;
  onCancel: () => void;
}) {
  const [form, setForm] = createStore(formFromRequest(props.proposal.taskCreateRequest));
  const [defaults] = createResource(() => getDefaults().catch(() => null));
  const [skills] = createResource(() =>
    getSkills()
      .then((r) => r.items)
      .catch(() => []),
  );
  const [attempted, setAttempted] = createSignal(false);
  const [serverErrors, setServerErrors] = createSignal<FieldErrors>({});
  const [formError, setFormError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const ctx = () => ({
    defaultRuntime: defaults()?.defaultRuntime ?? 'codex',
    defaultRepository: defaults()?.defaultRepository ?? null,
  });
  const clientErrors = createMemo(() => (attempted() ? checkForm(form, ctx()) : {}));
  const errors = () => ({ ...serverErrors(), ...clientErrors() });
  const focusFirstError = () =>
    queueMicrotask(() =>
      document.querySelector<HTMLElement>('[data-testid="edit-promote"] [aria-invalid="true"]')?.focus(),
    );

  const submit = async (ev: SubmitEvent) => {
    ev.preventDefault();
    setAttempted(true);
    setServerErrors({});
    setFormError(null);
    if (Object.keys(checkForm(form, ctx())).length > 0) return focusFirstError();
    setBusy(true);
    try {
      const { jobId } = await promoteProposal(props.proposal.id, {
        expectedVersion: props.proposal.version,
        taskCreateRequestOverride: requestFromForm(props.proposal.taskCreateRequest, form),
      });
      props.onPromoted(jobId);
    } catch (e) {
      if (e instanceof ApiError && e.issues.length > 0) {
        const mapped = fieldErrorsFromIssues(e.issues, overrideIssuePath);
        setServerErrors(mapped);
        setFormError(mapped._form ?? 'The server rejected the task: see the marked fields.');
        focusFirstError();
      } else if (e instanceof ApiError) setFormError(errorMessage(e));
      else props.onError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} novalidate class="card stack" data-testid="edit-promote">
      <h2>Edit, then promote</h2>
      <Show when={formError()}>
        <p class="form-error" role="alert" data-testid="form-error">
          {formError()}
        </p>
      </Show>
      <TaskFields
        form={form}
        setForm={setForm}
        errors={errors()}
        skills={skills() ?? []}
        runtimeDefaults={defaults()?.runtimes?.[form.runtime]}
      />
      <div class="dialog-actions">
        <button type="button" class="secondary" onClick={props.onCancel} data-testid="edit-cancel">
          Cancel
        </button>
        <button type="submit" disabled={busy() || !canMutate()} data-testid="edit-promote-submit">
          {busy() ? 'Promoting…' : 'Promote edited task'}
        </button>
      </div>
    </form>
  );
}
