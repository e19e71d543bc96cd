import { createSignal, Show } from 'solid-js';
import type { LiveSessionView } from '../../../../contracts/live-session.ts';
import { grantWrite, revokeLiveSession, startLiveSession } from '../../api/live-session.ts';
import { formatCountdown, remainingMs } from '../../lib/countdown.ts';
import { errorMessage } from '../../lib/format.ts';
import { sessionActions } from '../../lib/live-session.ts';
import { createNow } from '../../lib/now.ts';
import { canMutate, canOperate } from '../../lib/session.ts';

/** The grant every "Grant write" asks for, in minutes (the API's default, said on the button). */
export const GRANT_MINUTES = 15;

/** Start, grant write, revoke and end a job's live session; the write grant's holder and time left. */
export function SessionActions(props: {
  jobId: string;
  view: LiveSessionView;
  running: boolean;
  onView: (view: LiveSessionView) => void;
}) {
  const [busy, setBusy] = createSignal(false);
  const [failure, setFailure] = createSignal<string | null>(null);
  const now = createNow(() => !!props.view.write);
  const actions = () => sessionActions(props.view, props.running);
  const disabled = () => busy() || !canMutate();

  const act = async (label: string, call: () => Promise<LiveSessionView>) => {
    setBusy(true);
    setFailure(null);
    try {
      props.onView(await call());
    } catch (e) {
      setFailure(`${label} failed: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Show when={props.view.write}>
        {(w) => (
          <p class="live-grant" data-testid="write-grant">
            <span class="mono">{w().holder}</span> may type for{' '}
            <time class="mono" dateTime={w().expiresAt} data-testid="write-countdown">
              {formatCountdown(remainingMs(w().expiresAt, now()))}
            </time>
          </p>
        )}
      </Show>
      <div class="controls">
        <Show when={actions().start}>
          <button
            type="button"
            disabled={disabled()}
            onClick={() => void act('Start', () => startLiveSession(props.jobId))}
            data-testid="live-start"
          >
            Start live session
          </button>
        </Show>
        <Show when={actions().grant}>
          <button
            type="button"
            class="secondary"
            disabled={disabled()}
            onClick={() => void act('Grant write', () => grantWrite(props.jobId, GRANT_MINUTES))}
            data-testid="live-grant"
          >
            Grant write ({GRANT_MINUTES} min)
          </button>
        </Show>
        <Show when={actions().revoke}>
          <button
            type="button"
            class="secondary"
            disabled={disabled()}
            onClick={() => void act('Revoke', () => revokeLiveSession(props.jobId))}
            data-testid="live-revoke"
          >
            Revoke
          </button>
        </Show>
        <Show when={actions().end}>
          <button
            type="button"
            class="danger"
            disabled={disabled()}
            onClick={() => void act('End session', () => revokeLiveSession(props.jobId, true))}
            data-testid="live-end"
          >
            End session
          </button>
        </Show>
      </div>
      <Show when={!canOperate()}>
        <p class="hint">Your role can watch the session; an operator starts it and grants write.</p>
      </Show>
      <p class="control-result error-text" role="status" data-testid="live-action-result">
        {failure() ?? ''}
      </p>
    </>
  );
}
