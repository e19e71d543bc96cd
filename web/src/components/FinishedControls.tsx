import { A, useNavigate } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import type { JobView } from '../../../contracts/job.ts';
import { rerunJob } from '../api/jobs.ts';
import { errorMessage } from '../lib/format.ts';
import { canOperate } from '../lib/session.ts';

const newKey = () =>
  typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;

/** A finished run: run it again as it was (a new job linked to this one), or open the form filled with it. */
export function FinishedControls(props: { job: JobView }) {
  const navigate = useNavigate();
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  // One key per page: a retried click after a lost answer finds the job the first click started.
  const key = newKey();
  const rerun = async () => {
    setBusy(true);
    setError(null);
    try {
      const next = await rerunJob(props.job.id, key);
      navigate(`/tasks/queue/${next.id}`);
    } catch (e) {
      setError(`Re-run failed: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <p class="hint" data-testid="finished-note">
        The run is {props.job.status.replace('_', ' ')}: nothing to control any more.
      </p>
      <div class="controls">
        <button
          type="button"
          disabled={!canOperate() || busy()}
          title={canOperate() ? 'A new job with the same task' : 'your role cannot start runs'}
          onClick={() => void rerun()}
          data-testid="control-rerun"
        >
          Re-run
        </button>
        <A
          href={`/tasks/queue/new?from=${encodeURIComponent(props.job.id)}`}
          class="button secondary"
          data-testid="control-clone"
        >
          Clone to form
        </A>
      </div>
      <Show when={!canOperate()}>
        <p class="hint">Re-run: your role cannot start runs</p>
      </Show>
      <p class="control-result error-text" role="status" data-testid="control-result">
        {error() ?? ''}
      </p>
    </>
  );
}
