import type { LiveSessionView, ToViewerFrame, ViewerFrame } from '../../contracts/live-session.ts';
import { openSocket } from './live-socket.ts';

/** Strips terminal escapes so a test reads what a person sees (colour and cursor codes are not text). */
export const plain = (s: string) =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escapes are control characters.
  s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-B]|\x1b[=>78]/g, '');

/**
 * The terminal's text without the fake agent's JSON lines: the agent keeps printing while the terminal echoes
 * what an operator types, so on screen the two interleave ("typed-in{…working 7…}-the-browser").
 */
export const withoutAgentLines = (s: string | null) =>
  (s ?? '').replace(/\{"type":"[^"]*"(?:[^{}]|\{[^{}]*\})*\}/g, '');

export interface Viewer {
  frames: ToViewerFrame[];
  /** Everything shown since the last `screen` (the screen, then output), escapes stripped. */
  text(): string;
  /** The newest session view the API pushed. */
  view(): LiveSessionView | null;
  send(frame: ViewerFrame): void;
  until(check: (v: Viewer) => boolean, timeoutMs?: number, what?: string): Promise<void>;
  close(): void;
}

/** A browser's socket on a job's live session (test/support/live-socket.ts), read as a person reads the terminal. */
export async function openViewer(apiUrl: string, jobId: string, token: string): Promise<Viewer> {
  const socket = await openSocket(`${apiUrl}/api/queue/jobs/${jobId}/live-session/socket`, token);
  const frames = socket.frames as unknown as ToViewerFrame[];
  let shown = '';
  let latest: LiveSessionView | null = null;
  // Read from the socket's own list: frames that came with the upgrade's answer were received before this
  // function could listen.
  let applied = 0;
  const sync = () => {
    for (; applied < frames.length; applied++) {
      const frame = frames[applied];
      if (frame.t === 'screen') shown = frame.d;
      else if (frame.t === 'out') shown += frame.d;
      else if (frame.t === 'session') latest = frame.view;
    }
  };
  // Waiters are checked on every frame, so a benchmark times the frame, not a polling interval.
  const waiters = new Set<() => void>();
  socket.ws.on('message', () => {
    for (const w of waiters) w();
  });
  const viewer: Viewer = {
    frames,
    text: () => {
      sync();
      return plain(shown);
    },
    view: () => {
      sync();
      return latest;
    },
    send: (frame) => socket.send(frame),
    until(check, timeoutMs = 20_000, what = 'the condition') {
      if (check(viewer)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const done = () => {
          waiters.delete(waiter);
          clearTimeout(timer);
        };
        const waiter = () => {
          if (!check(viewer)) return;
          done();
          resolve();
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`viewer: timed out waiting for ${what}; shown:\n${viewer.text().slice(-2000)}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close: () => socket.ws.close(),
  };
  return viewer;
}
