import { createSignal, For, lazy, Show } from 'solid-js';
import { isSessionOpen, LIVE_SESSION_CAST } from '../../../../contracts/live-session.ts';
import type { Artifact } from '../../api/jobs.ts';
import { holdsWrite, ownsTakeover } from '../../lib/live-session.ts';
import type { LiveSession } from '../../lib/live-session-store.ts';
import { createNow } from '../../lib/now.ts';
import { session } from '../../lib/session.ts';
import { HandBackForm } from './HandBackForm.tsx';
import { SessionActions } from './SessionActions.tsx';
import { SessionBadge } from './SessionBadge.tsx';

// xterm.js is most of their weight: loaded only on a page that shows a terminal.
const LiveTerminal = lazy(() => import('./LiveTerminal.tsx').then((m) => ({ default: m.LiveTerminal })));
const RecordingPlayer = lazy(() =>
  import('./RecordingPlayer.tsx').then((m) => ({ default: m.RecordingPlayer })),
);

/**
 * A job's live terminal session (docs/live-sessions.md): its state, who watches, the terminal while it is
 * open (writable only by the write grant's holder), the hand-back form after my takeover, and the recording
 * once the run has finished.
 */
export function LiveSessionPanel(props: {
  jobId: string;
  live: LiveSession;
  /** The run is under way (a session can be started). */
  running: boolean;
  finished: boolean;
  artifacts: Artifact[];
}) {
  const view = () => props.live.view();
  const me = () => session()?.user;
  const now = createNow(() => !!view().write);
  const [socketError, setSocketError] = createSignal<string | null>(null);
  const open = () => isSessionOpen(view().state);
  const showsReason = () => view().state === 'ERROR' || view().state === 'REVOKED';
  const recording = () =>
    props.finished
      ? props.artifacts.find((a) => a.name === (view().recording ?? LIVE_SESSION_CAST))
      : undefined;

  // A finished run that never had a session has nothing to show here.
  const shown = () => !props.finished || view().id !== null || !!recording();

  return (
    <Show when={shown()}>
      <section class="card live-session" aria-label="Live session" data-testid="live-session">
        <h2 class="live-heading">
          Live session <SessionBadge state={view().state} />
        </h2>
        <Show when={showsReason() && view().reason}>
          <p class="hint" data-testid="live-reason">
            {view().reason}
          </p>
        </Show>
        <Show when={view().viewers.length > 0}>
          <p class="hint" data-testid="live-viewers">
            Watching:{' '}
            <For each={view().viewers}>
              {(v, i) => (
                <>
                  {i() > 0 ? ', ' : ''}
                  <span class="mono">{v.actor}</span>
                  {v.writer ? ' (can type)' : ''}
                </>
              )}
            </For>
          </p>
        </Show>
        <Show when={!props.finished}>
          <SessionActions jobId={props.jobId} view={view()} running={props.running} onView={props.live.set} />
        </Show>
        <Show when={ownsTakeover(view(), me())}>
          <HandBackForm jobId={props.jobId} onView={props.live.set} />
        </Show>
        <Show when={open()}>
          <Show when={socketError()}>
            {(message) => (
              <p class="form-error" role="alert" data-testid="live-error">
                {message()}
              </p>
            )}
          </Show>
          <LiveTerminal
            jobId={props.jobId}
            writable={holdsWrite(view(), me(), now())}
            onView={(v) => {
              setSocketError(null);
              props.live.set(v);
            }}
            onError={setSocketError}
          />
        </Show>
        <Show when={props.finished}>
          <Show when={recording()} fallback={<p class="muted">No recording for this run.</p>}>
            {(a) => <RecordingPlayer url={a().downloadUrl} />}
          </Show>
        </Show>
      </section>
    </Show>
  );
}
