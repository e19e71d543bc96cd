import { createSignal, Show } from 'solid-js';
import { approveRun, type OrchestratorRun } from '../../api/orchestrator.ts';
import { errorMessage } from '../../lib/format.ts';
import { approvalControl } from '../../lib/orchestrator-view.ts';
import { canOperate } from '../../lib/session.ts';

/**
 * A protected service's run waits here, after planning and before any patch: the plan is above, the
 * Approve button here, with the service's token field when its profile has one. A viewer sees why they
 * cannot approve.
 */
export function ApprovalBanner(props: {
  run: OrchestratorRun;
  requiresToken: boolean;
  onApproved: () => void;
}) {
  const [token, setToken] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [failure, setFailure] = createSignal<string | null>(null);
  const control = () =>
    approvalControl(props.run, {
      canOperate: canOperate(),
      requiresToken: props.requiresToken,
      token: token(),
    });
  const approve = async (ev: SubmitEvent) => {
    ev.preventDefault();
    if (control().disabled) return;
    setBusy(true);
    setFailure(null);
    try {
      await approveRun(props.run.runId, token().trim() || undefined);
      setToken('');
      props.onApproved();
    } catch (e) {
      setFailure(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Show when={control().show}>
      <section class="card approval" aria-labelledby="approval-title" data-testid="approval-banner">
        <h2 id="approval-title">Waiting for approval</h2>
        <p>
          {props.run.targetService} is protected: nothing is patched, built or restarted until an operator
          approves the plan below.
        </p>
        <form class="row" onSubmit={approve}>
          <Show when={props.requiresToken && canOperate()}>
            <label>
              Approval token
              <input
                type="password"
                autocomplete="off"
                value={token()}
                onInput={(e) => setToken(e.currentTarget.value)}
                data-testid="approval-token"
              />
            </label>
          </Show>
          <button
            type="submit"
            disabled={busy() || !!control().disabled}
            aria-describedby="approval-reason"
            data-testid="approve"
          >
            {busy() ? 'Approving…' : 'Approve'}
          </button>
        </form>
        <Show when={control().disabled}>
          <p class="muted" id="approval-reason" data-testid="approval-reason">
            {control().disabled}
          </p>
        </Show>
        <Show when={failure()}>
          <p class="form-error" role="alert" data-testid="approval-error">
            {failure()}
          </p>
        </Show>
      </section>
    </Show>
  );
}
