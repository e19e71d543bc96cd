import { describe, expect, test } from 'vitest';
import type { WebSocket } from 'ws';
import { LiveRelay, VIEWER_BACKLOG_BYTES } from '../../api/live/relay.ts';

/** A socket that records what is sent and reports the backlog the test sets. */
const fakeSocket = () => {
  const sent: unknown[] = [];
  const ws = {
    OPEN: 1,
    readyState: 1,
    bufferedAmount: 0,
    send: (text: string) => sent.push(JSON.parse(text)),
    close: () => {},
  };
  return { ws, sent, socket: ws as unknown as WebSocket };
};

describe('the relay', () => {
  test('a backed-up viewer is skipped, not waited for, and resynced with a snapshot once drained', () => {
    const relay = new LiveRelay();
    const jobId = crypto.randomUUID();
    const worker = fakeSocket();
    relay.attachWorker(jobId, worker.socket);
    const fast = fakeSocket();
    const slow = fakeSocket();
    relay.attachViewer(jobId, fast.socket, 'a');
    const slowLink = relay.attachViewer(jobId, slow.socket, 'b');

    slow.ws.bufferedAmount = VIEWER_BACKLOG_BYTES + 1;
    relay.fanOut(jobId, { t: 'out', d: 'one' });
    expect(fast.sent).toEqual([{ t: 'out', d: 'one' }]);
    expect(slow.sent).toEqual([]);
    expect(slowLink.stale).toBe(true);

    // Still draining: still skipped, no snapshot asked yet.
    slow.ws.bufferedAmount = 10;
    relay.fanOut(jobId, { t: 'out', d: 'two' });
    expect(slow.sent).toEqual([]);
    expect(worker.sent).toEqual([]);

    slow.ws.bufferedAmount = 0;
    relay.fanOut(jobId, { t: 'out', d: 'three' });
    expect(slow.sent).toEqual([]);
    expect(worker.sent).toEqual([{ t: 'snapshot', to: slowLink.id }]);
    // Asked once, however many frames pass before the screen comes.
    relay.fanOut(jobId, { t: 'out', d: 'four' });
    expect(worker.sent).toHaveLength(1);
    expect(fast.sent).toHaveLength(4);
  });
});
