import { createSignal, type JSX, Show } from 'solid-js';
import { allowedActions } from '../../../contracts/controls.ts';
import { controlStateOf, type JobView } from '../../../contracts/job.ts';
import { cancelJob, controlJob, sendOperatorMessage } from '../api/jobs.ts';
import { errorMessage } from '../lib/format.ts';
import { canOperate } from '../lib/session.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';

/**
 * Cancel (confirmed), pause/resume, takeover and operator messages. `allowedActions` (the rules the workflow itself applies)
 * decides what is enabled; a disabled control says why, in its title and as visible text.
 */
export function JobControls(props: { job: JobView; onChanged: (job?: JobView) => void }) {
  const [confirming, setConfirming] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [result, setResult] = createSignal<{ ok: boolean; text: string } | null>(null);
  const [message, setMessage] = createSignal('');
  const allowed = () => allowedActions(controlStateOf(props.job));
  const why = (action: keyof ReturnType<typeof allowedActions>) =>
    !canOperate() ? 'your role cannot control runs' : busy() ? 'working…' : allowed()[action];

  const run = async (label: string, call: () => Promise<JobView | unknown>) => {
    setBusy(true);
    setResult(null);
    try {
      const view = await call();
      setResult({ ok: true, text: label === 'Message' ? 'Message sent' : `${label} requested` });
      props.onChanged(view && typeof view === 'object' && 'status' in view ? (view as JobView) : undefined);
    } catch (e) {
      setResult({ ok: false, text: `${label} failed: ${errorMessage(e)}` });
    } finally {
      setBusy(false);
    }
  };

  const send = (ev: SubmitEvent) => {
    ev.preventDefault();
    const text = message().trim();
    if (!text) return setResult({ ok: false, text: 'Write a message first' });
    void run('Message', async () => {
      await sendOperatorMessage(props.job.id, text);
      setMessage('');
    });
  };

  const control = (
    action: 'cancel' | 'pause' | 'resume' | 'takeover',
    label: string,
    onClick: () => void,
    cls = 'secondary',
  ): JSX.Element => (
    <div class="control">
      <button
        type="button"
        class={cls}
        disabled={!!why(action)}
        title={why(action) ?? label}
        onClick={onClick}
        data-testid={`control-${action}`}
      >
        {label}
      </button>
      <Show when={why(action)}>
        <span class="hint" data-testid={`control-${action}-reason`}>
          {why(action)}
        </span>
      </Show>
    </div>
  );

  return (
    <section class="card" aria-label="Controls" data-testid="job-controls">
      <h2>Controls</h2>
      <div class="controls">
        {control('cancel', 'Cancel', () => setConfirming(true), 'danger')}
        {control('pause', 'Pause', () => void run('Pause', () => controlJob(props.job.id, 'pause')))}
        {control('resume', 'Resume', () => void run('Resume', () => controlJob(props.job.id, 'resume')))}
        {control(
          'takeover',
          'Take over',
          () => void run('Takeover', () => controlJob(props.job.id, 'takeover')),
        )}
      </div>
      <form class="message-form" onSubmit={send}>
        <label for="operator-message">Operator message</label>
        <textarea
          id="operator-message"
          rows={2}
          value={message()}
          onInput={(e) => setMessage(e.currentTarget.value)}
          data-testid="operator-message"
        />
        <button
          type="submit"
          class="secondary"
          disabled={!!why('message')}
          title={why('message') ?? 'Send to the running job'}
          data-testid="send-message"
        >
          Send message
        </button>
        <Show when={why('message')}>
          <span class="hint">{why('message')}</span>
        </Show>
      </form>
      <p
        class="control-result"
        role="status"
        classList={{ 'error-text': result()?.ok === false }}
        data-testid="control-result"
      >
        {result()?.text ?? ''}
      </p>
      <ConfirmDialog
        open={confirming()}
        title="Cancel this run?"
        confirmLabel="Cancel run"
        onClose={() => setConfirming(false)}
        onConfirm={() => void run('Cancel', () => cancelJob(props.job.id))}
      >
        <p>The agent is stopped, artifacts so far are kept, nothing is published.</p>
      </ConfirmDialog>
    </section>
  );
}
