import { useNavigate } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { isOrchestratorTerminal } from '../../../../contracts/orchestrator-run.ts';
import { cancelRun, type OrchestratorRun, retryRun } from '../../api/orchestrator.ts';
import { errorMessage } from '../../lib/format.ts';
import { cancelRefusal, retryRefusal } from '../../lib/orchestrator-view.ts';
import { canMutate, canOperate } from '../../lib/session.ts';
import { ConfirmDialog } from '../ConfirmDialog.tsx';

/** Cancel while the run has not finished (confirmed first); Retry once it has, which opens the new run. */
export function RunControls(props: { run: OrchestratorRun; onChanged: () => void }) {
  const navigate = useNavigate();
  const [confirming, setConfirming] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [failure, setFailure] = createSignal<string | null>(null);
  const finished = () => isOrchestratorTerminal(props.run.status);
  const cancelWhy = () => cancelRefusal(props.run, canOperate());
  const retryWhy = () => retryRefusal(props.run, canOperate());
  const act = async (fn: () => Promise<void>) => {
    setBusy(true);
    setFailure(null);
    try {
      await fn();
    } catch (e) {
      setFailure(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="controls" data-testid="run-controls">
      <Show
        when={finished()}
        fallback={
          <button
            type="button"
            class="danger"
            disabled={busy() || !canMutate() || !!cancelWhy()}
            title={cancelWhy() ?? undefined}
            onClick={() => setConfirming(true)}
            data-testid="cancel-run"
          >
            {props.run.cancelRequestedAt ? 'Cancelling…' : 'Cancel…'}
          </button>
        }
      >
        <button
          type="button"
          disabled={busy() || !canMutate() || !!retryWhy()}
          title={retryWhy() ?? undefined}
          onClick={() =>
            act(async () => {
              const next = await retryRun(props.run.runId);
              navigate(`/tasks/orchestrator/${next.runId}`);
            })
          }
          data-testid="retry-run"
        >
          Retry with this plan
        </button>
      </Show>
      <Show when={(finished() ? retryWhy() : cancelWhy()) && canOperate()}>
        <span class="muted small" data-testid="control-reason">
          {finished() ? retryWhy() : cancelWhy()}
        </span>
      </Show>
      <Show when={failure()}>
        <p class="form-error" role="alert" data-testid="control-error">
          {failure()}
        </p>
      </Show>
      <ConfirmDialog
        open={confirming()}
        title="Cancel this run?"
        confirmLabel="Cancel run"
        onConfirm={() =>
          act(async () => {
            await cancelRun(props.run.runId);
            props.onChanged();
          })
        }
        onClose={() => setConfirming(false)}
      >
        <p>The step that runs now is stopped, with every process it started.</p>
      </ConfirmDialog>
    </div>
  );
}
