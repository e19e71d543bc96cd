import WebSocket from 'ws';

// biome-ignore lint/suspicious/noExplicitAny: a received frame is JSON the test reads freely.
export type Frame = Record<string, any>;

/** A live-session socket for tests: frames as they come, and a wait for the next one that matches. */
export interface TestSocket {
  ws: WebSocket;
  frames: Record<string, unknown>[];
  send(frame: Record<string, unknown>): void;
  /** The first frame (already received or still to come) matching `match`, at or after `from`. */
  next(match: (f: Frame) => boolean, what?: string, ms?: number): Promise<Frame>;
  closed: Promise<{ code: number }>;
  close(code?: number): Promise<void>;
}

/** Open `url` (http:) as a WebSocket with a bearer token; rejects with the refusal's status. */
export async function openSocket(httpUrl: string, token: string | null): Promise<TestSocket> {
  const ws = new WebSocket(httpUrl.replace(/^http/, 'ws'), {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const frames: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    frames.push(JSON.parse(data.toString()));
    for (const w of waiters) w();
  });
  const closed = new Promise<{ code: number }>((resolve) => ws.on('close', (code) => resolve({ code })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
    ws.once('error', reject);
  });
  let from = 0;
  return {
    ws,
    frames,
    send: (frame) => ws.send(JSON.stringify(frame)),
    next(match, what = 'a frame', ms = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (let i = from; i < frames.length; i++)
            if (match(frames[i])) {
              from = i + 1;
              waiters.delete(check);
              clearTimeout(timer);
              resolve(frames[i]);
              return;
            }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(frames.slice(from))}`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    closed,
    async close(code = 1000) {
      if (ws.readyState === ws.OPEN) ws.close(code);
      await closed;
    },
  };
}

/** A worker's `hello` for tests. */
export const hello = (extra: Record<string, unknown> = {}) => ({
  t: 'hello',
  hostId: 'host-live',
  attempt: 1,
  stepIndex: 0,
  autoStart: false,
  maxSessions: 4,
  cols: 80,
  rows: 24,
  ...extra,
});
