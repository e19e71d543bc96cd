import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { JobEvent } from '../../contracts/events.ts';
import { taskRunStartOptions } from '../../contracts/start-options.ts';
import { normalizeJob } from '../../contracts/task.ts';
import { envelope, startTestApi, type TestApi, until } from './harness.ts';
import { openSse } from './sse-client.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi(
    { MOONMIND_MAX_ARTIFACT_BYTES: '4096', MOONMIND_RATE_LIMIT_PER_MINUTE: '5' },
    { sseHeartbeatMs: 400 },
  );
});
afterAll(async () => {
  await t?.close();
});

/** Jobs started straight on Temporal (the API's own rate limit is set low for the last test). */
const newJob = async (repository = 'acme/events') => {
  const result = normalizeJob(envelope(repository), { defaultRuntime: 'codex' });
  if (!result.ok) throw new Error('bad envelope');
  const jobId = randomUUID();
  const submittedBy = { id: randomUUID(), name: 'tester' };
  await t.client.workflow.start(
    'taskRun',
    taskRunStartOptions({ jobId, job: result.job, submittedBy, submittedAt: new Date().toISOString() }),
  );
  return jobId;
};
const post = (jobId: string, producer: string, seqs: number[], type = 'test.step') =>
  t.call(`/api/worker/jobs/${jobId}/events`, {
    method: 'POST',
    as: 'workerIn',
    json: { producer, events: seqs.map((seq) => ({ seq, type, message: `event ${seq}`, payload: { seq } })) },
  });
const stored = async (jobId: string, query = ''): Promise<JobEvent[]> =>
  (await (await t.call(`/api/queue/jobs/${jobId}/events?limit=1000${query}`, { as: 'viewer' })).json()).items;
const auth = () => ({ authorization: `Bearer ${t.tokens.viewer}` });

describe('worker events', () => {
  test('a resent batch adds nothing; order and filters hold', async () => {
    const jobId = await newJob();
    expect(await (await post(jobId, 'host-a:1', [1, 2, 3])).json()).toEqual({ inserted: 3 });
    expect(await (await post(jobId, 'host-a:1', [1, 2, 3])).json()).toEqual({ inserted: 0 });
    expect(await (await post(jobId, 'host-a:1', [3, 4])).json()).toEqual({ inserted: 1 });
    const mine = (await stored(jobId)).filter((e) => e.type === 'test.step');
    expect(mine.map((e) => e.payload.seq)).toEqual([1, 2, 3, 4]);
    const ids = mine.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    const desc = (await stored(jobId, '&sort=desc')).filter((e) => e.type === 'test.step');
    expect(desc.map((e) => e.payload.seq)).toEqual([4, 3, 2, 1]);
    const after = (await stored(jobId, `&after=${ids[1]}`)).filter((e) => e.type === 'test.step');
    expect(after.map((e) => e.payload.seq)).toEqual([3, 4]);
    const before = (await stored(jobId, `&beforeEventId=${ids[2]}&afterEventId=${ids[0]}`)).filter(
      (e) => e.type === 'test.step',
    );
    expect(before.map((e) => e.payload.seq)).toEqual([2]);
    // The run's workflow appends its own events meanwhile: the newest one is between the two reads.
    const newestBefore = Math.max(...(await stored(jobId)).map((e) => e.id));
    const limited = await t.call(`/api/queue/jobs/${jobId}/events?sort=desc&limit=1`, { as: 'viewer' });
    const newestAfter = Math.max(...(await stored(jobId)).map((e) => e.id));
    const [only, ...rest] = (await limited.json()).items.map((e: JobEvent) => e.id);
    expect(rest).toEqual([]);
    expect(only).toBeGreaterThanOrEqual(newestBefore);
    expect(only).toBeLessThanOrEqual(newestAfter);

    const bad = await t.call(`/api/worker/jobs/${jobId}/events`, {
      method: 'POST',
      as: 'workerIn',
      json: { producer: '', events: [{ seq: -1, type: 'x', message: 1 }] },
    });
    expect(bad.status).toBe(400);
    const paths = (await bad.json()).error.issues.map((i: { path: string }) => i.path).sort();
    expect(paths).toEqual(['events.0.message', 'events.0.seq', 'producer']);
  });

  test('exclude=log leaves log lines out; search finds a substring in the whole log, newest first, paged', async () => {
    const jobId = await newJob();
    const lines = Array.from({ length: 1200 }, (_, n) => ({
      seq: n,
      type: 'log',
      message: n % 100 === 7 ? `error: Needle_${n} 100% wrong` : `compiling unit ${n}`,
      payload: { kind: 'log', stream: 'stdout' },
    }));
    // An agent event stored as a log line by its payload kind, a stage event among them.
    lines[600] = {
      seq: 600,
      type: 'agent.message',
      message: 'needle in an agent line',
      payload: { kind: 'log', stream: 'stdout' },
    };
    for (let i = 0; i < lines.length; i += 600) {
      const res = await t.call(`/api/worker/jobs/${jobId}/events`, {
        method: 'POST',
        as: 'workerIn',
        json: { producer: 'host-s:1', events: lines.slice(i, i + 600) },
      });
      expect(res.status).toBe(202);
    }
    await post(jobId, 'host-s:2', [1], 'moonmind.task.execute.started');
    const notLogs = await stored(jobId, '&exclude=log');
    expect(notLogs.map((e) => e.type)).toContain('moonmind.task.execute.started');
    expect(notLogs.filter((e) => e.type === 'log' || e.payload.kind === 'log')).toEqual([]);

    const search = async (query: string) =>
      t.call(`/api/queue/jobs/${jobId}/events/search?${query}`, { as: 'viewer' });
    const all = await (await search('q=NEEDLE')).json();
    // Lines 7, 107, …, 1107 (12) and the agent line.
    expect(all.total).toBe(13);
    expect(all.ids).toHaveLength(13);
    expect(all.ids).toEqual([...all.ids].sort((a: number, b: number) => b - a));
    const page = await (await search(`q=needle&limit=5&before=${all.ids[4]}`)).json();
    expect(page).toEqual({ total: 13, capped: false, ids: all.ids.slice(5, 10) });
    // LIKE's wildcards are plain characters: `%` matches only a percent sign, `_` only an underscore.
    expect((await (await search('q=100%25')).json()).total).toBe(12);
    expect((await (await search('q=unit_1')).json()).total).toBe(0);
    // A common term (1,187 of 1,200 lines) and a term too short for trigrams take the other plan: same answers.
    const common = await (await search('q=COMPILING%20unit')).json();
    expect(common.total).toBe(1187);
    expect(common.ids).toHaveLength(500);
    expect(common.ids).toEqual([...common.ids].sort((a: number, b: number) => b - a));
    expect((await (await search('q=r:')).json()).total).toBe(12);
    expect((await (await search('q=needle_10')).json()).total).toBe(2); // Needle_107 and Needle_1007
    expect(await (await search('q=nothing%20like%20this')).json()).toEqual({
      total: 0,
      capped: false,
      ids: [],
    });

    const blank = await search('q=%20');
    expect(blank.status).toBe(400);
    expect(JSON.stringify(await blank.json())).toContain('q');
    expect((await search('q=x&before=abc')).status).toBe(400);
    const nul = await search('q=a%00b');
    expect(nul.status).toBe(400);
    expect(JSON.stringify(await nul.json())).toContain('NUL');
    const unknown = await t.call(`/api/queue/jobs/${randomUUID()}/events/search?q=x`, { as: 'viewer' });
    expect(unknown.status).toBe(404);
  });

  test('credentials are redacted before they are stored', async () => {
    const jobId = await newJob();
    const token = `ghp_${'Zx9'.repeat(12)}`;
    await t.call(`/api/worker/jobs/${jobId}/events`, {
      method: 'POST',
      as: 'workerIn',
      json: {
        producer: 'host-a:1',
        events: [
          {
            seq: 1,
            type: 'log',
            message: `pushing with ${token}`,
            payload: { url: `https://x:${'y'}@github.com/a/b`, n: 1 },
          },
        ],
      },
    });
    const [row] = await t.db
      .sql`SELECT message, payload FROM job_events WHERE job_id = ${jobId} AND type = 'log'`;
    expect(row.message).toBe('pushing with [REDACTED]');
    expect(row.payload).toEqual({ url: 'https://[REDACTED]@github.com/a/b', n: 1 });
  });
});

describe('SSE', () => {
  test('events arrive in order at every client; a reconnect with Last-Event-ID misses nothing and repeats nothing', async () => {
    const jobId = await newJob();
    await post(jobId, 'host-a:1', [1, 2]);
    const url = `${t.url}/api/queue/jobs/${jobId}/events/stream`;
    const clients = await Promise.all([openSse(url, auth()), openSse(url, auth()), openSse(url, auth())]);
    expect(clients.map((c) => c.status)).toEqual([200, 200, 200]);
    const before = await stored(jobId);
    for (const c of clients) await c.waitFor(before.length);

    // Three viewers of one job cost one query per notification, not one each.
    const fetchesBefore = t.api.deps.hub.stats.fetches;
    await post(jobId, 'host-a:1', [3, 4]);
    for (const c of clients) await c.waitFor(before.length + 2);
    expect(t.api.deps.hub.stats.fetches - fetchesBefore).toBeLessThanOrEqual(2);
    for (let batch = 1; batch < 5; batch++) await post(jobId, 'host-a:1', [3 + batch * 2, 4 + batch * 2]);
    const all = await until('12 test events stored', async () => {
      const events = await stored(jobId);
      return events.filter((e) => e.type === 'test.step').length === 12 ? events : null;
    });
    for (const c of clients) {
      await c.waitFor(all.length);
      expect(c.events.map((e) => e.id)).toEqual(all.map((e) => e.id));
    }
    expect(clients[0].events.filter((e) => e.type === 'test.step').map((e) => e.payload.seq)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    expect(t.api.deps.hub.watchedJobs).toBeGreaterThanOrEqual(1);
    await until('a heartbeat', async () => clients[0].pings > 0, 5_000);

    // Disconnect mid-stream, miss some events, come back with the last id seen.
    const first = clients[0];
    first.close();
    const lastSeen = first.events[first.events.length - 1].id;
    await post(jobId, 'host-a:1', [13, 14, 15]);
    const resumed = await openSse(url, { ...auth(), 'last-event-id': String(lastSeen) });
    await post(jobId, 'host-b:1', [1]);
    const now = await until('16 test events stored', async () => {
      const events = await stored(jobId);
      return events.filter((e) => e.type === 'test.step').length === 16 ? events : null;
    });
    const expected = now.filter((e) => e.id > lastSeen).map((e) => e.id);
    await resumed.waitFor(expected.length);
    await new Promise((r) => setTimeout(r, 300));
    expect(resumed.events.map((e) => e.id)).toEqual(expected);
    const viaQuery = await openSse(`${url}?lastEventId=${lastSeen}`, auth());
    await viaQuery.waitFor(expected.length);

    // The run's last event ends every stream once everything before it was sent.
    await t.call(`/api/worker/jobs/${jobId}/events`, {
      method: 'POST',
      as: 'workerIn',
      json: {
        producer: 'host-b:1',
        events: [{ seq: 2, type: 'run.finished', message: 'done', payload: { status: 'succeeded' } }],
      },
    });
    for (const c of [clients[1], clients[2], resumed, viaQuery]) {
      expect(await c.ended).toEqual({ status: 'succeeded' });
      expect(c.events[c.events.length - 1].type).toBe('run.finished');
    }
  });

  test('a run that ended without a run.finished event still ends its streams', async () => {
    const jobId = await newJob();
    await post(jobId, 'host-a:1', [1]);
    const url = `${t.url}/api/queue/jobs/${jobId}/events/stream`;
    const live = await openSse(url, auth());
    await live.waitFor(1);
    await t.client.workflow.getHandle(`job-${jobId}`).terminate('test');
    expect(await live.ended).toEqual({ status: 'cancelled' });
    const late = await openSse(url, auth());
    expect(await late.ended).toEqual({ status: 'cancelled' });
    expect(late.events.map((e) => e.id)).toEqual((await stored(jobId)).map((e) => e.id));
  });
});

describe('artifacts', () => {
  const put = (jobId: string, name: string, body: string | Uint8Array, contentType = 'text/plain') =>
    t.call(`/api/worker/jobs/${jobId}/artifacts/${name}`, {
      method: 'PUT',
      as: 'workerIn',
      headers: { 'content-type': contentType },
      body: body as BodyInit,
    });
  const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

  test('text is redacted on ingest, hashed, listed, downloaded as an attachment; a re-upload replaces it', async () => {
    const jobId = await newJob();
    const token = `ghp_${'Qw3'.repeat(12)}`;
    const first = await put(jobId, 'logs/steps/step-0001.log', `line one\nauth ${token}\nline three\n`);
    expect(first.status).toBe(201);
    const meta = await first.json();
    const expectedText = 'line one\nauth [REDACTED]\nline three\n';
    expect(meta).toMatchObject({
      name: 'logs/steps/step-0001.log',
      contentType: 'text/plain',
      size: expectedText.length,
      sha256: sha(expectedText),
    });

    const listed = (await (await t.call(`/api/queue/jobs/${jobId}/artifacts`, { as: 'viewer' })).json())
      .items;
    expect(listed).toEqual([
      { ...meta, downloadUrl: `/api/queue/jobs/${jobId}/artifacts/${meta.id}/download` },
    ]);
    const download = await t.call(listed[0].downloadUrl, { as: 'viewer' });
    expect(download.headers.get('content-type')).toBe('text/plain');
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="step-0001.log"');
    expect(await download.text()).toBe(expectedText);

    const again = await (await put(jobId, 'logs/steps/step-0001.log', 'replaced\n')).json();
    expect(again.id).toBe(meta.id);
    expect(again.sha256).toBe(sha('replaced\n'));
    expect(await (await t.call(listed[0].downloadUrl, { as: 'viewer' })).text()).toBe('replaced\n');
    expect(
      (await (await t.call(`/api/queue/jobs/${jobId}/artifacts`, { as: 'viewer' })).json()).items,
    ).toHaveLength(1);
  });

  test('binary artifacts pass through unchanged; oversize and bad names are refused', async () => {
    const jobId = await newJob();
    const bytes = new Uint8Array(2048).map((_, i) => (i * 7) % 256);
    const bin = await (await put(jobId, 'patches/changes.bin', bytes, 'application/octet-stream')).json();
    expect(bin.sha256).toBe(sha(bytes));
    const back = new Uint8Array(await (await t.call(bin.downloadUrl, { as: 'viewer' })).arrayBuffer());
    expect(sha(back)).toBe(sha(bytes));

    const big = await put(jobId, 'logs/big.log', 'x'.repeat(5000));
    expect(big.status).toBe(413);
    expect((await big.json()).error.code).toBe('payload_too_large');
    const bad = await put(jobId, 'logs/a%20b.log', 'x');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.issues[0].path).toBe('name');
    const unknown = await t.call(`/api/queue/jobs/${jobId}/artifacts/${crypto.randomUUID()}/download`, {
      as: 'viewer',
    });
    expect(unknown.status).toBe(404);
  });
});

test('creation routes are rate limited per identity', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) {
    const res = await t.call('/api/queue/jobs', { method: 'POST', as: 'operator', json: envelope() });
    statuses.push(res.status);
    if (res.status === 429) {
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect((await res.json()).error.code).toBe('rate_limited');
    } else await res.arrayBuffer();
  }
  expect(statuses.slice(0, 5)).toEqual([201, 201, 201, 201, 201]);
  expect(statuses.slice(5)).toEqual([429, 429]);
  // Another identity has its own bucket.
  expect((await t.call('/api/queue/jobs', { method: 'POST', as: 'admin', json: envelope() })).status).toBe(
    201,
  );
});
