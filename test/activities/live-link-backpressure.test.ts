import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { LiveLink } from '../../activities/live/link.ts';
import { type WorkerFrame, workerFrameSchema } from '../../contracts/live-session.ts';

let wss: WebSocketServer;
beforeAll(async () => {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => wss.once('listening', r));
});
afterAll(async () => {
  await new Promise((r) => wss.close(r));
});

it('batches output, drops it while the API does not read, and asks for a fresh screen once drained', async () => {
  const frames: WorkerFrame[] = [];
  const connected = new Promise<{ ws: WebSocket; resume: () => void }>((resolve) =>
    wss.once('connection', (ws, req) => {
      ws.on('message', (raw) => frames.push(workerFrameSchema.parse(JSON.parse(raw.toString()))));
      resolve({ ws, resume: () => req.socket.resume() });
      // The API stops reading once `hello` is in.
      ws.once('message', () => req.socket.pause());
    }),
  );
  let resyncs = 0;
  const link = new LiveLink({
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/socket`,
    headers: {},
    hello: { hostId: 'h', attempt: 1, stepIndex: 0, autoStart: true, maxSessions: 4, cols: 80, rows: 24 },
    onFrame: () => {},
    onFailure: (reason) => {
      throw new Error(reason);
    },
    onResync: () => {
      resyncs += 1;
    },
  });
  const peer = await connected;
  await expect.poll(() => frames.length).toBe(1);
  // 100k small chunks (about 20 MB): far fewer frames, some dropped while the socket is backed up.
  const chunk = `${'x'.repeat(199)}\n`;
  for (let i = 0; i < 100_000; i++) {
    link.out(chunk);
    if (i % 1_000 === 0) await new Promise((r) => setImmediate(r));
  }
  peer.resume();
  await expect.poll(() => resyncs, { timeout: 10_000 }).toBe(1);
  await link.close();
  const out = frames.filter((f) => f.t === 'out');
  expect(out.length).toBeLessThan(5_000);
  expect(out.reduce((n, f) => n + (f.t === 'out' ? f.d.length : 0), 0)).toBeLessThan(100_000 * chunk.length);
});
