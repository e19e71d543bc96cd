import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sweep } from '../../api/live/sweep.ts';
import { hello, openSocket, type TestSocket } from '../support/live-socket.ts';
import { envelope, startTestApi, type TestApi, until } from './harness.ts';

/**
 * Live sessions through the real API (PostgreSQL, Temporal): test sockets play the worker and the browsers.
 * No capability worker runs, so jobs stay queued; a worker socket's hello is what lets a session start.
 */
let t: TestApi;
const sockets: TestSocket[] = [];
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(async () => {
  for (const s of sockets) await s.close().catch(() => {});
  await t?.close();
});

const newJob = async () =>
  (await (await t.call('/api/queue/jobs', { method: 'POST', as: 'operator', json: envelope() })).json())
    .id as string;
const live = (jobId: string, action = '') => `/api/queue/jobs/${jobId}/live-session${action}`;
const post = (jobId: string, action: string, json: unknown = {}, as: 'operator' | 'viewer' = 'operator') =>
  t.call(live(jobId, action), { method: 'POST', as, json });
const view = async (jobId: string) => (await t.call(live(jobId), { as: 'viewer' })).json();
const connect = async (url: string, token: string | null) => {
  const s = await openSocket(`${t.url}${url}`, token);
  sockets.push(s);
  return s;
};
const worker = (jobId: string, token = t.tokens.workerIn) =>
  connect(`/api/worker/jobs/${jobId}/live-session/socket`, token);
const viewer = (jobId: string, as: 'viewer' | 'operator') => connect(`${live(jobId)}/socket`, t.tokens[as]);
const events = async (jobId: string) => {
  const res = await t.call(`/api/queue/jobs/${jobId}/events?limit=1000`, { as: 'viewer' });
  return ((await res.json()).items as { type: string; payload: { actor?: string } }[]).filter((e) =>
    e.type.startsWith('live_session.'),
  );
};

describe('a live session', () => {
  let jobId: string;
  let w: TestSocket;
  let sessionId: string;
  let operatorView: TestSocket;
  let viewerView: TestSocket;

  beforeAll(async () => {
    jobId = await newJob();
  });

  test('is DISABLED until started; a run nobody runs cannot start one', async () => {
    expect(await view(jobId)).toMatchObject({ id: null, jobId, state: 'DISABLED', write: null, viewers: [] });
    const res = await post(jobId, '');
    expect(res.status).toBe(409);
    expect((await res.json()).error.message).toBe('cannot start a live session: the run has not started');
  });

  test('starts on POST once a step streams, idempotently, and is READY after the worker', async () => {
    w = await worker(jobId);
    w.send(hello());
    const created = await until('created', async () => {
      const res = await post(jobId, '');
      return res.status === 201 ? res.json() : null;
    });
    expect(created).toMatchObject({ state: 'STARTING', createdBy: 'operator-user', workerHost: 'host-live' });
    sessionId = created.id;
    expect(await w.next((f) => f.t === 'start', 'start')).toEqual({ t: 'start', sessionId });
    const again = await post(jobId, '');
    expect(again.status).toBe(200);
    expect((await again.json()).id).toBe(sessionId);
    w.send({ t: 'ready', sessionId });
    await until('READY', async () => (await view(jobId)).state === 'READY');
  });

  test('output fans out to every viewer; a late viewer gets its own screen', async () => {
    operatorView = await viewer(jobId, 'operator');
    const first = await w.next((f) => f.t === 'snapshot', 'snapshot');
    w.send({ t: 'screen', to: first.to, d: 'SCREEN-1', cols: 80, rows: 24 });
    expect(await operatorView.next((f) => f.t === 'screen')).toMatchObject({ d: 'SCREEN-1' });
    viewerView = await viewer(jobId, 'viewer');
    const second = await w.next((f) => f.t === 'snapshot', 'second snapshot');
    expect(second.to).not.toBe(first.to);
    w.send({ t: 'screen', to: second.to, d: 'SCREEN-2', cols: 80, rows: 24 });
    expect(await viewerView.next((f) => f.t === 'screen')).toMatchObject({ d: 'SCREEN-2' });
    w.send({ t: 'out', d: 'hello\r\n' });
    expect(await operatorView.next((f) => f.t === 'out')).toEqual({ t: 'out', d: 'hello\r\n' });
    expect(await viewerView.next((f) => f.t === 'out')).toEqual({ t: 'out', d: 'hello\r\n' });
    // The late viewer's screen went to it alone.
    expect(operatorView.frames.filter((f) => f.t === 'screen')).toHaveLength(1);
    const watching = await view(jobId);
    expect(watching.viewers.map((v: { actor: string }) => v.actor).sort()).toEqual([
      'operator-user',
      'viewer-user',
    ]);
  });

  test('input reaches the terminal only from the write holder, and only while the grant lasts', async () => {
    operatorView.send({ t: 'in', d: 'ls\r' });
    expect((await operatorView.next((f) => f.t === 'error')).message).toBe(
      'input refused: operator-user holds no write grant',
    );
    expect((await post(jobId, '/grant-write', {}, 'viewer')).status).toBe(403);
    const tooLong = await post(jobId, '/grant-write', { minutes: 61 });
    expect(tooLong.status).toBe(400);
    expect((await tooLong.json()).error.issues[0].path).toBe('minutes');

    const granted = await post(jobId, '/grant-write', { minutes: 5 });
    expect(granted.status).toBe(200);
    const body = await granted.json();
    expect(body.write).toMatchObject({ holder: 'operator-user', expiresAt: expect.any(String) });
    expect(await w.next((f) => f.t === 'grant', 'grant')).toEqual({
      t: 'grant',
      actor: 'operator-user',
      expiresAt: body.write.expiresAt,
    });
    operatorView.send({ t: 'in', d: 'ls\r' });
    expect(await w.next((f) => f.t === 'in', 'input')).toEqual({
      t: 'in',
      d: 'ls\r',
      actor: 'operator-user',
    });
    operatorView.send({ t: 'resize', cols: 120, rows: 40 });
    expect(await w.next((f) => f.t === 'resize', 'resize')).toEqual({ t: 'resize', cols: 120, rows: 40 });
    viewerView.send({ t: 'resize', cols: 10, rows: 10 });
    expect((await viewerView.next((f) => f.t === 'error')).message).toBe(
      'resize refused: viewer-user holds no write grant',
    );
    viewerView.send({ t: 'in', d: 'rm -rf /\r' });
    expect((await viewerView.next((f) => f.t === 'error')).message).toBe(
      'input refused: viewer-user holds no write grant',
    );

    // The grant runs out: the sweep drops it.
    await t.db
      .sql`UPDATE live_sessions SET write_expires_at = now() - interval '1 second' WHERE id = ${sessionId}`;
    await sweep(t.api.deps);
    expect(await w.next((f) => f.t === 'grant', 'grant end')).toEqual({
      t: 'grant',
      actor: null,
      expiresAt: null,
    });
    operatorView.send({ t: 'in', d: 'ls\r' });
    expect((await operatorView.next((f) => f.t === 'error')).message).toBe(
      'input refused: operator-user holds no write grant',
    );
    expect((await view(jobId)).write).toBeNull();
  });

  test('a grant can be revoked, then the whole session', async () => {
    await post(jobId, '/grant-write');
    await w.next((f) => f.t === 'grant' && f.actor === 'operator-user', 'grant');
    const revoked = await post(jobId, '/revoke', {});
    expect(revoked.status).toBe(200);
    expect((await revoked.json()).write).toBeNull();
    expect(await w.next((f) => f.t === 'grant', 'grant end')).toMatchObject({ actor: null });

    const ended = await post(jobId, '/revoke', { session: true });
    expect(await ended.json()).toMatchObject({
      id: sessionId,
      state: 'REVOKED',
      reason: 'revoked by operator-user',
    });
    expect(await w.next((f) => f.t === 'stop', 'stop')).toMatchObject({ t: 'stop' });
    expect(
      await viewerView.next((f) => f.t === 'session' && f.view.state === 'REVOKED', 'REVOKED view'),
    ).toBeTruthy();
  });

  test('every action is a job event naming its actor', async () => {
    const seen = (await events(jobId)).map((e) => [e.type, e.payload.actor]);
    expect(seen).toEqual(
      expect.arrayContaining([
        ['live_session.created', 'operator-user'],
        ['live_session.ready', 'system'],
        ['live_session.write_granted', 'operator-user'],
        ['live_session.write_expired', 'system'],
        ['live_session.write_revoked', 'operator-user'],
        ['live_session.ended', 'operator-user'],
      ]),
    );
    expect(seen.filter(([type]) => type === 'live_session.ready')).toHaveLength(1);
  });

  test('hand-back needs a takeover; a queued run refuses the takeover', async () => {
    const back = await post(jobId, '/hand-back', { summary: 'fixed it' });
    expect(back.status).toBe(409);
    expect((await back.json()).error.message).toBe('no takeover is active for this job');
    const takeover = await post(jobId, '/takeover', {});
    expect(takeover.status).toBe(409);
    expect((await takeover.json()).error.message).toBe('cannot takeover: the run has not started');
  });
});

describe('limits and failures', () => {
  test("over the worker's MOONMIND_LIVE_SESSIONS_PER_WORKER is a 409", async () => {
    const jobId = await newJob();
    const w = await worker(jobId);
    w.send(hello({ hostId: 'host-full', maxSessions: 0 }));
    const res = await until('refused', async () => {
      const r = await post(jobId, '');
      const body = await r.json();
      return r.status === 409 && body.error.message.includes('PER_WORKER') ? body : null;
    });
    expect(res.error.message).toBe(
      'live sessions are off on worker host-full (MOONMIND_LIVE_SESSIONS_PER_WORKER=0)',
    );
    // Refused before the run is paused for nothing.
    const takeover = await post(jobId, '/takeover');
    expect(takeover.status).toBe(409);
    expect((await takeover.json()).error.message).toContain('MOONMIND_LIVE_SESSIONS_PER_WORKER=0');
  });

  test('a step ending (1000) keeps the session; a lost link puts it in ERROR', async () => {
    const jobId = await newJob();
    const first = await worker(jobId);
    first.send(hello({ autoStart: true, hostId: 'host-auto' }));
    const { sessionId } = await first.next((f) => f.t === 'start', 'start');
    first.send({ t: 'ready', sessionId });
    await until('READY', async () => (await view(jobId)).state === 'READY');
    await first.close(1000);
    const second = await worker(jobId);
    second.send(hello({ hostId: 'host-auto', stepIndex: 1 }));
    expect(await second.next((f) => f.t === 'start', 'start again')).toEqual({ t: 'start', sessionId });
    expect((await view(jobId)).state).toBe('READY');
    await second.close(4001);
    const failed = await until('ERROR', async () => {
      const v = await view(jobId);
      return v.state === 'ERROR' ? v : null;
    });
    expect(failed.reason).toMatch(/^the worker's link was lost \(close code 4001/);
    // The state is stored before its event: wait for the event rather than race it.
    await until('the error event', async () =>
      (await events(jobId)).some((e) => e.type === 'live_session.error') ? true : null,
    );
  });

  test('the sweep ends a takeover past its end, a session past its TTL, and one with no worker', async () => {
    const jobId = await newJob();
    const w = await worker(jobId);
    w.send(hello({ autoStart: true, hostId: 'host-sweep' }));
    const { sessionId } = await w.next((f) => f.t === 'start', 'start');
    w.send({ t: 'ready', sessionId });
    await until('READY', async () => (await view(jobId)).state === 'READY');
    // A takeover (a queued run refuses a real one) whose time ran out.
    await t.db.sql`
      UPDATE live_sessions SET write_holder = 'operator-user', write_granted_at = now() - interval '2 minutes',
        write_expires_at = now() - interval '1 second', takeover_actor = 'operator-user',
        takeover_started_at = now() - interval '2 minutes', takeover_expires_at = now() - interval '1 second',
        shell_open = true
      WHERE id = ${sessionId}`;
    await sweep(t.api.deps);
    expect(await w.next((f) => f.t === 'shell', 'shell close')).toEqual({ t: 'shell', open: false });
    expect(await w.next((f) => f.t === 'grant', 'grant end')).toMatchObject({ actor: null });
    expect(await view(jobId)).toMatchObject({ state: 'READY', write: null, takeover: null });
    const expired = (await events(jobId)).find((e) => e.type === 'live_session.write_expired') as
      | { message?: string }
      | undefined;
    expect(expired?.message).toMatch(/the run stays paused/);

    await t.db.sql`UPDATE live_sessions SET expires_at = now() - interval '1 second' WHERE id = ${sessionId}`;
    await sweep(t.api.deps);
    expect(await w.next((f) => f.t === 'stop', 'stop')).toMatchObject({ t: 'stop' });
    expect(await view(jobId)).toMatchObject({ state: 'ENDED' });

    const lonely = await newJob();
    const other = await worker(lonely);
    other.send(hello({ autoStart: true, hostId: 'host-sweep' }));
    await other.next((f) => f.t === 'start', 'start');
    await other.close(1000);
    await until('detached', async () => !t.api.deps.live.worker(lonely));
    // A session no step has streamed yet waits for a worker's socket, but not forever.
    await sweep(t.api.deps);
    expect((await view(lonely)).state).toBe('STARTING');
    await sweep(t.api.deps, Date.now() + 31_000);
    expect(await view(lonely)).toMatchObject({ state: 'ERROR', reason: 'no worker attached for 30 s' });
  });

  test('sockets are authenticated and scoped like their routes', async () => {
    const jobId = await newJob();
    await expect(worker(jobId, t.tokens.workerOut)).rejects.toThrow('refused with 403');
    await expect(worker(jobId, t.tokens.viewer)).rejects.toThrow('refused with 403');
    await expect(connect(`${live(jobId)}/socket`, null)).rejects.toThrow('refused with 401');
    await expect(connect(`${live(jobId)}/socket`, t.tokens.workerIn)).rejects.toThrow('refused with 403');
    await expect(connect(`${live(crypto.randomUUID())}/socket`, t.tokens.viewer)).rejects.toThrow(
      'refused with 404',
    );
  });

  test('a frame outside the contract is answered, not fatal', async () => {
    const jobId = await newJob();
    const v = await viewer(jobId, 'viewer');
    expect(await v.next((f) => f.t === 'session')).toMatchObject({ view: { state: 'DISABLED' } });
    v.ws.send('not json');
    expect((await v.next((f) => f.t === 'error')).message).toMatch(/^invalid frame/);
    v.send({ t: 'in', d: 'x' });
    expect((await v.next((f) => f.t === 'error')).message).toBe('input refused: no open live session');
    expect(v.ws.readyState).toBe(v.ws.OPEN);
  });

  test('a plain GET of a socket route is 426 Upgrade Required', async () => {
    const jobId = await newJob();
    const res = await t.call(`${live(jobId)}/socket`, { as: 'viewer' });
    expect(res.status).toBe(426);
    expect(res.headers.get('upgrade')).toBe('websocket');
    expect((await res.json()).error.code).toBe('upgrade_required');
    const fromWorker = await t.call(`/api/worker/jobs/${jobId}/live-session/socket`, { as: 'workerOut' });
    expect(fromWorker.status).toBe(403);
  });

  test('sessions a stopped API process left open are in ERROR after a restart', async () => {
    const jobId = await newJob();
    const w = await worker(jobId);
    w.send(hello({ autoStart: true, hostId: 'host-restart' }));
    await w.next((f) => f.t === 'start', 'start');
    await t.restart();
    expect(await w.closed).toMatchObject({ code: 1001 });
    const after = await view(jobId);
    expect(after).toMatchObject({ state: 'ERROR' });
    expect(after.reason).toMatch(/^relay restarted/);
  });
});
