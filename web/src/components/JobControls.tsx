import { createSignal, For, type JSX, Show } from 'solid-js';
import { allowedActions, type ControlAction, controlRefusal } from '../../../contracts/controls.ts';
import { controlStateOf, type JobView } from '../../../contracts/job.ts';
import type { LiveSessionView } from '../../../contracts/live-session.ts';
import { isTerminal } from '../../../contracts/status.ts';
import { cancelJob, controlJob, sendOperatorMessage } from '../api/jobs.ts';
import { takeOver } from '../api/live-session.ts';
import { errorMessage } from '../lib/format.ts';
import { canOperate } from '../lib/session.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { FinishedControls } from './FinishedControls.tsx';
import { JobOrigin } from './JobOrigin.tsx';

/**
 * The run's controls. While it runs: cancel (confirmed), pause (after this step), pause now, resume, take over
 * and operator messages, enabled by `allowedActions` (the rules the workflow itself applies); the reasons for
 * what is disabled are said once below the buttons. Once it has finished: re-run and clone to form.
 */
export function JobControls(props: {
  job: JobView;
  onChanged: (job?: JobView) => void;
  /** Jobs that re-ran this one. */
  reruns?: string[];
  /** The live session a takeover opened (the takeover route answers with it). */
  onLiveSession?: (view: LiveSessionView) => void;
}) {
  return (
    <section class="card" aria-label="Controls" data-testid="job-controls">
      <h2>Controls</h2>
      <JobOrigin job={props.job} reruns={props.reruns ?? []} />
      <Show when={isTerminal(props.job.status)} fallback={<RunControls {...props} />}>
        <FinishedControls job={props.job} />
      </Show>
    </section>
  );
}

type Button = { action: ControlAction; key: string; label: string; cls?: string; onClick: () => void };

function RunControls(props: {
  job: JobView;
  onChanged: (job?: JobView) => void;
  onLiveSession?: (view: LiveSessionView) => void;
}) {
  const [confirming, setConfirming] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [result, setResult] = createSignal<{ ok: boolean; text: string } | null>(null);
  const [message, setMessage] = createSignal('');
  const state = () => controlStateOf(props.job);
  const allowed = () => allowedActions(state());
  // Pause now is a hard pause: allowed over a soft one (pending or taken), refused once hard-paused.
  const hardPauseRefusal = () => controlRefusal(state(), { action: 'pause', mode: 'hard' });
  const why = (key: string, action: ControlAction) => {
    if (!canOperate()) return 'your role cannot control runs';
    if (busy()) return 'working…';
    return key === 'pause-now' ? hardPauseRefusal() : allowed()[action];
  };

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

  const buttons: Button[] = [
    { action: 'cancel', key: 'cancel', label: 'Cancel', cls: 'danger', onClick: () => setConfirming(true) },
    {
      action: 'pause',
      key: 'pause',
      label: 'Pause after this step',
      onClick: () => void run('Pause', () => controlJob(props.job.id, 'pause')),
    },
    {
      action: 'pause',
      key: 'pause-now',
      label: 'Pause now',
      onClick: () => void run('Pause now', () => controlJob(props.job.id, 'pause', 'hard')),
    },
    {
      action: 'resume',
      key: 'resume',
      label: 'Resume',
      onClick: () => void run('Resume', () => controlJob(props.job.id, 'resume')),
    },
    {
      action: 'takeover',
      key: 'takeover',
      label: 'Take over',
      onClick: () =>
        void run('Takeover', async () => {
          props.onLiveSession?.(await takeOver(props.job.id));
        }),
    },
  ];
  // Each distinct reason once, naming the buttons it disables.
  const reasons = () => {
    const byReason = new Map<string, string[]>();
    for (const b of buttons) {
      const reason = why(b.key, b.action);
      if (reason) byReason.set(reason, [...(byReason.get(reason) ?? []), b.label]);
    }
    return [...byReason].map(([reason, labels]) => ({ reason, labels }));
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

  return (
    <>
      <TakeoverNotice job={props.job} />
      <div class="controls">
        <For each={buttons}>
          {(b): JSX.Element => (
            <button
              type="button"
              class={b.cls ?? 'secondary'}
              disabled={!!why(b.key, b.action)}
              title={why(b.key, b.action) ?? b.label}
              onClick={b.onClick}
              data-testid={`control-${b.key}`}
            >
              {b.label}
            </button>
          )}
        </For>
      </div>
      <ul class="control-reasons" data-testid="control-reasons">
        <For each={reasons()}>
          {(r) => (
            <li class="hint">
              {r.labels.join(', ')}: {r.reason}
            </li>
          )}
        </For>
      </ul>
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
          disabled={!!why('message', 'message')}
          title={why('message', 'message') ?? 'Send to the running job'}
          data-testid="send-message"
        >
          Send message
        </button>
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
    </>
  );
}

/** After a takeover: what it means and where the work is, until the run is resumed. */
function TakeoverNotice(props: { job: JobView }) {
  const live = () => props.job.live;
  return (
    <Show when={live()?.takeoverRequested}>
      <p class="notice" data-testid="takeover-notice">
        <Show when={live()?.pausing} fallback="Taken over: the run is paused and waits for you.">
          Takeover requested: the run pauses when the running step ends.
        </Show>{' '}
        Its workspace stays on worker <span class="mono">{props.job.worker ?? '—'}</span>
        <Show when={props.job.branch}>
          {(b) => (
            <>
              {' '}
              (branch <span class="mono">{b()}</span>)
            </>
          )}
        </Show>
        . Hand it back from the live session, saying what you changed.
      </p>
    </Show>
  );
}
