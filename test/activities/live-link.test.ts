import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';
import { WorkerApiClient } from '../../activities/reporting/api-client.ts';
import type { PrepareResult } from '../../contracts/activities.ts';
import {
  LIVE_SESSION_CAST,
  type ToWorkerFrame,
  type WorkerFrame,
  workerFrameSchema,
} from '../../contracts/live-session.ts';
import {
  type Fixture,
  makeBareRepo,
  prepareInput,
  run,
  startFixture,
  stepInput,
  taskPayload,
} from './task-fixture.ts';

/** The API's side of the worker's socket: every frame checked against the contract. */
interface Peer {
  ws: WebSocket;
  headers: IncomingHttpHeaders;
  path: string;
  frames: WorkerFrame[];
  closed: Promise<number>;
  next<T extends WorkerFrame['t']>(
    t: T,
    where?: (f: Extract<WorkerFrame, { t: T }>) => boolean,
  ): Promise<Extract<WorkerFrame, { t: T }>>;
  send(frame: ToWorkerFrame): void;
  output(): string;
}

let fx: Fixture;
let wss: WebSocketServer;
const peers: Peer[] = [];
let onPeer: (peer: Peer) => void = () => {};

beforeAll(async () => {
  fx = await startFixture();
  await makeBareRepo(fx.gitBase, 'acme/widgets');
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (ws, req) => {
    const frames: WorkerFrame[] = [];
    const waiters: (() => void)[] = [];
    ws.on('message', (raw) => {
      frames.push(workerFrameSchema.parse(JSON.parse(raw.toString())));
      for (const w of waiters.splice(0)) w();
    });
    const peer: Peer = {
      ws,
      headers: req.headers,
      path: req.url ?? '',
      frames,
      closed: new Promise((r) => ws.once('close', (code) => r(code))),
      async next(t, where = () => true) {
        const until = Date.now() + 10_000;
        for (;;) {
          const found = frames.find((f) => f.t === t && where(f as never));
          if (found) return found as never;
          if (Date.now() > until) throw new Error(`no ${t} frame; got ${frames.map((f) => f.t).join(',')}`);
          await new Promise<void>((r) => {
            waiters.push(r);
            setTimeout(r, 200);
          });
        }
      },
      send: (frame) => ws.send(JSON.stringify(frame)),
      output: () => frames.map((f) => (f.t === 'out' ? f.d : '')).join(''),
    };
    peers.push(peer);
    onPeer(peer);
  });
  // The worker's client as configured, but its live socket on this test's server.
  const api = fx.deps.api;
  const port = (wss.address() as AddressInfo).port;
  const viaTest = new WorkerApiClient(`http://127.0.0.1:${port}`, fx.deps.config.MOONMIND_WORKER_TOKEN);
  api.liveSessionSocket = (jobId) => viaTest.liveSessionSocket(jobId);
});
afterAll(async () => {
  await new Promise((r) => wss?.close(r));
  await fx?.close();
});

async function prepared(instructions: string, task: Record<string, unknown> = {}) {
  const input = prepareInput(taskPayload({ instructions, ...task }));
  const result: PrepareResult = await run(fx.activities.prepare, input);
  return { input, result };
}

describe('a step under a PTY with a live session', () => {
  it('streams to the API: hello, start, ready, screen, out; snapshot, input, grant, shell; recorded', async () => {
    const { input, result } = await prepared('Take your time. FAKE_SLEEP=5');
    const repo = join(result.workspace, 'repo');
    const session = (async () => {
      const peer = await new Promise<Peer>((r) => {
        onPeer = r;
      });
      const hello = await peer.next('hello');
      expect(hello).toMatchObject({ hostId: 'test-abc123', attempt: 1, stepIndex: 0, autoStart: false });
      peer.send({ t: 'start', sessionId: 'session-1' });
      expect(await peer.next('ready')).toEqual({ t: 'ready', sessionId: 'session-1' });
      await peer.next('screen', (f) => f.to === null);
      await peer.next('out', (f) => f.d.includes('working'));
      peer.send({ t: 'snapshot', to: 'viewer-7' });
      const shot = await peer.next('screen', (f) => f.to === 'viewer-7');
      expect(shot.d).toContain('working');
      expect(shot).toMatchObject({ cols: 120, rows: 40 });
      peer.send({ t: 'grant', actor: 'alice', expiresAt: '2026-12-06T21:00:00.000Z' });
      peer.send({ t: 'in', d: 'typed-by-alice', actor: 'alice' });
      await expect.poll(() => peer.output(), { timeout: 5_000 }).toContain('typed-by-alice');
      peer.send({ t: 'shell', open: true, actor: 'alice' });
      await peer.next('shell', (f) => f.open);
      peer.send({ t: 'in', d: 'echo "in-$(pwd)-shell"\r', actor: 'alice' });
      await expect.poll(() => peer.output(), { timeout: 5_000 }).toContain(`in-${repo}-shell`);
      peer.send({ t: 'shell', open: false });
      await peer.next('shell', (f) => !f.open);
      peer.send({ t: 'grant', actor: null, expiresAt: null });
      return peer;
    })();
    const out = await run(fx.activities.executeStep, stepInput(input, result, 0));
    expect(out.exitCode).toBe(0);
    const peer = await session;
    expect(await peer.closed).toBe(1000);
    expect(peer.headers.authorization).toBe(`Bearer ${fx.deps.config.MOONMIND_WORKER_TOKEN}`);
    expect(peer.path).toBe(`/api/worker/jobs/${input.jobId}/live-session/socket`);

    // The output is the run's events and log as headless, stderr merged into stdout.
    const logs = fx.api.events(input.jobId).filter((e) => e.type === 'log');
    expect(logs.some((e) => e.message.includes('fake agent: wrote AGENT_NOTES.md'))).toBe(true);
    expect(logs.every((e) => e.payload.stream === 'stdout')).toBe(true);
    expect(logs.some((e) => e.message.includes('MM-END'))).toBe(false);
    expect(fx.api.events(input.jobId).some((e) => e.type === 'live_session.error')).toBe(false);
    const stepLog = fx.api.artifacts.get(`${input.jobId}/logs/steps/step-0001.log`)?.body ?? '';
    expect(stepLog).toContain('fake agent: done');
    expect(stepLog).not.toContain('[stderr]');

    const cast = fx.api.artifacts.get(`${input.jobId}/${LIVE_SESSION_CAST}`)?.body ?? '';
    const [header, ...lines] = cast
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(header).toMatchObject({ version: 2, width: 120, height: 40, title: `${input.jobId} step 1` });
    const events = lines as [number, string, string][];
    expect(events.some(([, c, d]) => c === 'o' && d.includes('working'))).toBe(true);
    expect(events).toContainEqual([expect.any(Number), 'i', 'typed-by-alice']);
    const markers = events.filter(([, c]) => c === 'm').map(([, , d]) => d);
    expect(markers).toEqual([
      'write granted to alice until 2026-12-06T21:00:00.000Z',
      'shell opened by alice',
      'shell closed',
      'write revoked',
    ]);
    expect(cast).not.toContain('MM-END');
  });

  it('resizes the terminal, and kills a takeover shell still open when the step ends', async () => {
    const { input, result } = await prepared('FAKE_SLEEP=3');
    const pidFile = join(fx.agentOut, `shell-${input.jobId}.pid`);
    const session = (async () => {
      const peer = await new Promise<Peer>((r) => {
        onPeer = r;
      });
      await peer.next('hello');
      peer.send({ t: 'start', sessionId: 'session-2' });
      await peer.next('ready');
      peer.send({ t: 'resize', cols: 90, rows: 30 });
      peer.send({ t: 'snapshot', to: 'viewer-1' });
      expect(await peer.next('screen', (f) => f.to === 'viewer-1')).toMatchObject({ cols: 90, rows: 30 });
      peer.send({ t: 'shell', open: true, actor: 'bob' });
      await peer.next('shell', (f) => f.open);
      peer.send({ t: 'in', d: `echo $$ > ${pidFile}\r`, actor: 'bob' });
      await expect.poll(() => existsSync(pidFile), { timeout: 2_000 }).toBe(true);
    })();
    expect((await run(fx.activities.executeStep, stepInput(input, result, 0))).exitCode).toBe(0);
    await session;
    const pid = Number(await readFile(pidFile, 'utf8'));
    expect(pid).toBeGreaterThan(0);
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await expect.poll(alive, { timeout: 3_000 }).toBe(false);
  });

  it('a link the API breaks off is one warning; the step completes headless', async () => {
    const { input, result } = await prepared('FAKE_SLEEP=2', { liveSession: true });
    onPeer = (peer) => {
      peer.ws.once('message', () => peer.ws.terminate());
    };
    const out = await run(fx.activities.executeStep, stepInput(input, result, 0));
    expect(out).toEqual({ exitCode: 0, summary: 'fake agent: done' });
    const hello = peers.at(-1)?.frames[0];
    expect(hello).toMatchObject({ t: 'hello', autoStart: true });
    const warnings = fx.api.events(input.jobId).filter((e) => e.type === 'live_session.error');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].level).toBe('warn');
    expect(warnings[0].message).toContain('the API closed the link');
  });

  it('an API without live sessions is no error for an on-demand step', async () => {
    const { input, result } = await prepared('FAKE_LINES=3');
    const api = fx.deps.api;
    const saved = api.liveSessionSocket;
    // The fixture's API receiver answers the socket's upgrade with a 404.
    api.liveSessionSocket = WorkerApiClient.prototype.liveSessionSocket.bind(api);
    try {
      expect((await run(fx.activities.executeStep, stepInput(input, result, 0))).exitCode).toBe(0);
    } finally {
      api.liveSessionSocket = saved;
    }
    const types = fx.api.events(input.jobId).map((e) => e.type);
    expect(types).toContain('task.step.finished');
    expect(types).not.toContain('live_session.error');
  });
});

describe('the live socket URL', () => {
  it('is ws:// or wss:// as the API URL is http or https, with the worker token', () => {
    const https = new WorkerApiClient('https://api.example.com', 'worker-token-for-tests-0001');
    expect(https.liveSessionSocket('j 1')).toMatchObject({
      url: 'wss://api.example.com/api/worker/jobs/j%201/live-session/socket',
      headers: { authorization: 'Bearer worker-token-for-tests-0001' },
    });
    expect(new WorkerApiClient('http://127.0.0.1:8080', undefined).liveSessionSocket('j').url).toBe(
      'ws://127.0.0.1:8080/api/worker/jobs/j/live-session/socket',
    );
  });
});
