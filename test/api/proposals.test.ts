import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { insertWorkerToken } from '../../api/auth/tokens.ts';
import { promotionJobId } from '../../api/proposals/promote.ts';
import { workflowIdFor } from '../../contracts/job.ts';
import { envelope, seedProposal, startTestApi, type TestApi, type Who } from './harness.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(async () => {
  await t?.close();
});

const post = async (path: string, json: unknown, as: Who = 'operator') => {
  const res = await t.call(path, { method: 'POST', as, json });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text), headers: res.headers };
};
const get = async (path: string, as: Who = 'viewer') => {
  const res = await t.call(path, { as });
  return { status: res.status, body: await res.json() };
};
const issuePaths = (body: { error: { issues?: { path: string }[] } }) =>
  (body.error.issues ?? []).map((i) => i.path);

describe('create', () => {
  test('stores an open proposal: tags lowercased and deduplicated, category defaulted', async () => {
    const r = await post('/api/proposals', {
      title: 'Cover the tokenizer',
      tags: ['Parser', 'parser', 'TESTS'],
      taskCreateRequest: envelope(),
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      status: 'open',
      category: 'general',
      tags: ['parser', 'tests'],
      repository: 'acme/widgets',
      version: 0,
      origin: { source: 'manual' },
    });
    expect(r.body.proposedByUserId).toEqual(expect.any(String));
    expect(r.body.duplicateOf).toBeUndefined();
  });

  test('a duplicate of an open proposal answers with it (200, duplicateOf), no second row', async () => {
    const first = await post('/api/proposals', {
      title: 'Harden the CSV reader',
      taskCreateRequest: envelope(),
    });
    const again = await post('/api/proposals', {
      title: '  harden the CSV-reader! ',
      taskCreateRequest: envelope(),
    });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.duplicateOf).toBe(first.body.id);
    const rows = await t.db.sql`SELECT id FROM proposals WHERE dedup_key = ${first.body.dedupKey}`;
    expect(rows).toHaveLength(1);
    // Once decided, the key is free again.
    await post(`/api/proposals/${first.body.id}/dismiss`, {});
    const third = await post('/api/proposals', {
      title: 'Harden the CSV reader',
      taskCreateRequest: envelope(),
    });
    expect(third.status).toBe(201);
    expect(third.body.id).not.toBe(first.body.id);
  });

  test('a raw credential in title, summary or the job envelope is refused naming the field, never echoed', async () => {
    const token = ['ghp', '_', 'a1B2c3D4'.repeat(5)].join('');
    for (const [field, json] of [
      ['summary', { title: 'x', summary: `use ${token}`, taskCreateRequest: envelope() }],
      ['title', { title: `use ${token}`, taskCreateRequest: envelope() }],
      [
        'taskCreateRequest.payload.task.instructions',
        {
          title: 'x',
          taskCreateRequest: {
            type: 'task',
            payload: { repository: 'acme/widgets', task: { instructions: `token ${token}` } },
          },
        },
      ],
    ] as const) {
      const r = await post('/api/proposals', json);
      expect(r.status).toBe(400);
      expect(issuePaths(r.body)).toEqual([field]);
      expect(r.text).not.toContain(token);
    }
  });

  test('the job envelope is validated like a submission, issues under taskCreateRequest', async () => {
    const r = await post('/api/proposals', {
      title: 'Bad one',
      taskCreateRequest: {
        type: 'task',
        payload: { repository: 'acme/widgets', task: { publish: { mode: 'x' } } },
      },
    });
    expect(r.status).toBe(400);
    expect(issuePaths(r.body).sort()).toEqual([
      'taskCreateRequest.payload.task.instructions',
      'taskCreateRequest.payload.task.publish.mode',
    ]);
    const long = await post('/api/proposals', { title: 'x'.repeat(257), taskCreateRequest: envelope() });
    expect(long.status).toBe(400);
    expect(issuePaths(long.body)).toEqual(['title']);
  });

  test('a worker proposes only with proposals_write and only for repositories in its scope', async () => {
    const ok = await post(
      '/api/proposals',
      {
        title: 'From a worker',
        origin: { source: 'queue', id: randomUUID() },
        taskCreateRequest: envelope(),
      },
      'workerIn',
    );
    expect(ok.status).toBe(201);
    expect(ok.body.proposedByWorkerId).toEqual(expect.any(String));
    expect(ok.body.origin.source).toBe('queue');
    const outside = await post(
      '/api/proposals',
      { title: 'Elsewhere', taskCreateRequest: envelope() },
      'workerOut',
    );
    expect(outside.status).toBe(403);
    const { token } = await insertWorkerToken(t.db.sql, {
      name: 'no-proposals',
      scope: { jobTypes: ['task'], repositories: ['*'], capabilities: ['*'], scopes: [] },
    });
    const res = await fetch(`${t.url}/api/proposals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'No scope', taskCreateRequest: envelope() }),
    });
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toContain('proposals_write');
  });

  test('creation is rate limited per worker token (30 a minute by default): 429 with Retry-After', async () => {
    const { token } = await insertWorkerToken(t.db.sql, {
      name: 'chatty',
      scope: { jobTypes: ['task'], repositories: ['*'], capabilities: ['*'], scopes: ['proposals_write'] },
    });
    // 40 at once: the bucket holds 30 and refills one every 2 s, so only a slow machine lets a few more in.
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const res = await fetch(`${t.url}/api/proposals`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ title: `Chatty ${i}`, taskCreateRequest: envelope() }),
        });
        const body = res.status === 429 ? await res.json() : await res.arrayBuffer();
        return { status: res.status, retryAfter: res.headers.get('retry-after'), body };
      }),
    );
    const refilled = Math.floor((Date.now() - started) / 2000);
    const created = answers.filter((a) => a.status === 201).length;
    const limited = answers.filter((a) => a.status === 429);
    expect(created + limited.length).toBe(40);
    expect(created).toBeGreaterThanOrEqual(30);
    expect(created).toBeLessThanOrEqual(30 + refilled);
    expect(limited.length).toBeGreaterThan(0);
    for (const a of limited) {
      expect(a.retryAfter).toMatch(/^\d+$/);
      expect((a.body as { error: { message: string } }).error.message).toContain('too many proposals');
    }
  });
});

describe('list and detail', () => {
  const repo = `list-${randomUUID().slice(0, 8)}/app`;
  const ids: string[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 7; i++)
      ids.push(await seedProposal(t, { repository: repo, title: `Listed item ${i}` }));
    await t.db.sql`UPDATE proposals SET category = 'security', tags = '{hardening}' WHERE id = ${ids[0]}`;
    await t.db
      .sql`UPDATE proposals SET origin = '{"source":"queue","id":null,"metadata":{}}' WHERE id = ${ids[1]}`;
    await t.db.sql`UPDATE proposals SET summary = 'mentions zebras' WHERE id = ${ids[2]}`;
    await t.db.sql`UPDATE proposals SET snoozed_until = now() + interval '1 day' WHERE id = ${ids[3]}`;
    await t.db.sql`UPDATE proposals SET status = 'dismissed' WHERE id = ${ids[4]}`;
  });
  const list = async (q: string) => (await get(`/api/proposals?repository=${repo}&${q}`)).body;
  const idsOf = (body: { items: { id: string }[] }) => body.items.map((i) => i.id).sort();

  test('filters: status, category, originSource, tag, text, snoozed; counts per status', async () => {
    const open = await list('status=open');
    // 6 open, one of them snoozed: the counts are of what the inbox shows.
    expect(open.items).toHaveLength(5);
    expect(open.counts).toMatchObject({ open: 5, dismissed: 1, promoted: 0 });
    expect((await list('status=open&includeSnoozed=true')).counts.open).toBe(6);
    expect(idsOf(await list('category=security'))).toEqual([ids[0]]);
    expect(idsOf(await list('originSource=queue'))).toEqual([ids[1]]);
    expect(idsOf(await list('tag=HARDENING'))).toEqual([ids[0]]);
    expect(idsOf(await list('q=zebra'))).toEqual([ids[2]]);
    expect(idsOf(await list('q=item%203&includeSnoozed=true'))).toEqual([ids[3]]);
    expect(idsOf(await list('q=item%203'))).toEqual([]);
  });

  test('cursor pages cover every match once, in priority order', async () => {
    await t.db.sql`UPDATE proposals SET priority = 9 WHERE id = ${ids[6]}`;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`includeSnoozed=true&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((i: { id: string }) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen[0]).toBe(ids[6]);
    expect([...seen].sort()).toEqual([...ids].sort());
    const bad = await get('/api/proposals?cursor=garbage');
    expect(bad.status).toBe(400);
  });

  test('detail: the job preview, similar proposals, history', async () => {
    const a = await seedProposal(t, { repository: repo, title: 'Refactor the session cache layer' });
    const b = await seedProposal(t, { repository: repo, title: 'Refactor session cache layer code' });
    await seedProposal(t, { repository: repo, title: 'Something unrelated entirely' });
    await post(`/api/proposals/${a}/priority`, { priority: 3 });
    const d = await get(`/api/proposals/${a}`);
    expect(d.status).toBe(200);
    expect(d.body.preview).toEqual({
      repository: repo,
      runtime: 'codex',
      publishMode: 'branch',
      steps: [{ id: 'step-1', title: null, instructions: 'Add a test for the parser' }],
    });
    expect(d.body.similar.map((s: { id: string }) => s.id)).toEqual([b]);
    expect(d.body.history.map((h: { action: string }) => h.action)).toEqual(['create', 'priority']);
    expect(d.body.history[1].actor).toBe('operator-user');
    expect((await get(`/api/proposals/${randomUUID()}`)).status).toBe(404);
  });
});

describe('decisions', () => {
  test('dismiss, accept, reject: open → decided, with note and history; decided is final', async () => {
    for (const [action, status] of [
      ['dismiss', 'dismissed'],
      ['accept', 'accepted'],
      ['reject', 'rejected'],
    ]) {
      const id = await seedProposal(t);
      const r = await post(`/api/proposals/${id}/${action}`, { note: 'because', expectedVersion: 0 });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ status, decisionNote: 'because', version: 1 });
      expect(r.body.decidedByUserId).toEqual(expect.any(String));
      const again = await post(`/api/proposals/${id}/promote`, {});
      expect(again.status).toBe(409);
      expect(again.body.error.message).toContain(`is ${status}`);
    }
  });

  test('a stale expectedVersion is a 409 naming the current state', async () => {
    const id = await seedProposal(t);
    expect((await post(`/api/proposals/${id}/priority`, { priority: 2, expectedVersion: 0 })).status).toBe(
      200,
    );
    const stale = await post(`/api/proposals/${id}/dismiss`, { expectedVersion: 0 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toContain('open (version 1)');
  });

  test('snooze hides from the inbox until unsnoozed', async () => {
    const id = await seedProposal(t);
    const until = new Date(Date.now() + 86_400_000).toISOString();
    const s = await post(`/api/proposals/${id}/snooze`, { until });
    expect(s.body.snoozedUntil).toBe(until);
    const visible = async () =>
      (await get('/api/proposals?status=open&limit=200')).body.items.some((p: { id: string }) => p.id === id);
    expect(await visible()).toBe(false);
    const u = await post(`/api/proposals/${id}/unsnooze`, {});
    expect(u.body.snoozedUntil).toBeNull();
    expect(await visible()).toBe(true);
  });

  test('two decisions at once: exactly one wins, the other is a 409 naming the state (50 trials)', async () => {
    const pairs = [
      ['dismiss', 'accept'],
      ['accept', 'reject'],
      ['dismiss', 'dismiss'],
      ['reject', 'priority'],
    ] as const;
    for (let trial = 0; trial < 50; trial++) {
      const id = await seedProposal(t);
      const [a, b] = pairs[trial % pairs.length];
      // Both at the version they saw (as the inbox sends it): a priority change that lands first would
      // otherwise leave the proposal open for the other to decide, legitimately.
      const body = (action: string) =>
        action === 'priority'
          ? { priority: 7, expectedVersion: 0 }
          : { note: `trial ${trial}`, expectedVersion: 0 };
      const results = await Promise.all([
        post(`/api/proposals/${id}/${a}`, body(a)),
        post(`/api/proposals/${id}/${b}`, body(b)),
      ]);
      const statuses = results.map((r) => r.status).sort();
      expect(statuses, `trial ${trial}`).toEqual([200, 409]);
      const loser = results.find((r) => r.status === 409)!;
      const [row] = await t.db.sql`SELECT status, version FROM proposals WHERE id = ${id}`;
      expect(row.version).toBe(1);
      expect(loser.body.error.message).toContain(`is ${row.status}`);
      const history = await t.db.sql`SELECT action FROM proposal_history WHERE proposal_id = ${id}`;
      expect(history).toHaveLength(2); // create + the winner
    }
  });
});

describe('promote', () => {
  const events = async (jobId: string) =>
    (await get(`/api/queue/jobs/${jobId}/events`, 'operator')).body.items as {
      type: string;
      payload: never;
    }[];

  test('starts a job through the submission path; promoting again returns the same job', async () => {
    const id = await seedProposal(t);
    const first = await post(`/api/proposals/${id}/promote`, { priority: 5, maxAttempts: 2 });
    expect(first.status).toBe(201);
    expect(first.body.jobId).toBe(promotionJobId(id));
    expect(first.body.job).toMatchObject({
      id: first.body.jobId,
      status: 'queued',
      priority: 5,
      maxAttempts: 2,
    });
    expect(first.body.proposal).toMatchObject({ status: 'promoted', promotedJobId: first.body.jobId });
    const again = await post(`/api/proposals/${id}/promote`, {}, 'admin');
    expect(again.status).toBe(200);
    expect(again.body.jobId).toBe(first.body.jobId);
    const linked = (await events(first.body.jobId)).filter((e) => e.type === 'proposal.promoted');
    expect(linked).toHaveLength(1);
    expect(linked[0].payload).toMatchObject({ proposalId: id });
    // The run's memo says so too (what the Temporal UI shows).
    const memo = (await t.client.workflow.getHandle(workflowIdFor(first.body.jobId)).describe()).memo;
    expect(memo?.origin).toEqual({ proposalId: id });
  });

  test('concurrent promotions of one proposal start one job', async () => {
    for (let trial = 0; trial < 3; trial++) {
      const id = await seedProposal(t);
      const results = await Promise.all(
        Array.from({ length: 4 }, () => post(`/api/proposals/${id}/promote`, {})),
      );
      expect(new Set(results.map((r) => r.body.jobId))).toEqual(new Set([promotionJobId(id)]));
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      expect(results.every((r) => r.status === 201 || r.status === 200)).toBe(true);
    }
  });

  test('promote vs dismiss at once: one wins; a lost promotion starts no job', async () => {
    for (let trial = 0; trial < 10; trial++) {
      const id = await seedProposal(t);
      const [p, d] = await Promise.all([
        post(`/api/proposals/${id}/promote`, {}),
        post(`/api/proposals/${id}/dismiss`, {}),
      ]);
      expect([p.status, d.status].filter((s) => s < 300)).toHaveLength(1);
      if (d.status === 200) {
        expect(p.status).toBe(409);
        const job = await t.call(`/api/queue/jobs/${promotionJobId(id)}`, { as: 'viewer' });
        expect(job.status).toBe(404);
      }
    }
  });

  test('after an API restart, and after a start that never happened, the same job', async () => {
    const id = await seedProposal(t);
    const first = await post(`/api/proposals/${id}/promote`, {});
    await t.restart();
    const again = await post(`/api/proposals/${id}/promote`, {});
    expect(again.status).toBe(200);
    expect(again.body.jobId).toBe(first.body.jobId);
    // Marked promoted, then the API died before starting the job: a repeat starts it, with the same id.
    const lost = await seedProposal(t);
    await t.db.sql`
      UPDATE proposals SET status = 'promoted', promoted_job_id = ${promotionJobId(lost)}, version = 1
      WHERE id = ${lost}`;
    const resumed = await post(`/api/proposals/${lost}/promote`, {});
    expect(resumed.status).toBe(201);
    expect(resumed.body.jobId).toBe(promotionJobId(lost));
  });

  test('edit-then-promote: the edited envelope runs; its errors name taskCreateRequestOverride fields', async () => {
    const id = await seedProposal(t);
    const bad = await post(`/api/proposals/${id}/promote`, {
      taskCreateRequestOverride: {
        type: 'task',
        payload: { repository: 'acme/widgets', task: { instructions: 'Edited', publish: { mode: 'email' } } },
      },
    });
    expect(bad.status).toBe(400);
    expect(issuePaths(bad.body)).toEqual(['taskCreateRequestOverride.payload.task.publish.mode']);
    expect((await get(`/api/proposals/${id}`)).body.status).toBe('open');
    const good = await post(`/api/proposals/${id}/promote`, {
      expectedVersion: 0,
      taskCreateRequestOverride: {
        type: 'task',
        payload: { repository: 'acme/gadgets', task: { instructions: 'Edited', publish: { mode: 'none' } } },
      },
    });
    expect(good.status).toBe(201);
    expect(good.body.job).toMatchObject({ repository: 'acme/gadgets', publishMode: 'none' });
    expect(good.body.proposal.repository).toBe('acme/gadgets');
  });

  test('viewers and workers cannot promote', async () => {
    const id = await seedProposal(t);
    expect((await post(`/api/proposals/${id}/promote`, {}, 'viewer')).status).toBe(403);
    expect((await post(`/api/proposals/${id}/promote`, {}, 'workerIn')).status).toBe(403);
  });
});

describe('bulk', () => {
  test('each proposal answered on its own; an empty selection is a 400', async () => {
    const open = await seedProposal(t);
    const decided = await seedProposal(t);
    await post(`/api/proposals/${decided}/dismiss`, {});
    const unknown = randomUUID();
    const r = await post('/api/proposals/bulk', { action: 'promote', ids: [open, decided, unknown] });
    expect(r.status).toBe(200);
    expect(r.body.results).toEqual([
      { id: open, ok: true, status: 201, jobId: promotionJobId(open), error: null },
      { id: decided, ok: false, status: 409, jobId: null, error: expect.stringContaining('dismissed') },
      { id: unknown, ok: false, status: 404, jobId: null, error: 'proposal not found' },
    ]);
    const empty = await post('/api/proposals/bulk', { action: 'dismiss', ids: [] });
    expect(empty.status).toBe(400);
    expect(issuePaths(empty.body)).toEqual(['ids']);
    const noUntil = await post('/api/proposals/bulk', { action: 'snooze', ids: [open] });
    expect(issuePaths(noUntil.body)).toEqual(['until']);
    const snoozed = await seedProposal(t);
    const until = new Date(Date.now() + 60_000).toISOString();
    const s = await post('/api/proposals/bulk', { action: 'snooze', ids: [snoozed], until });
    expect(s.body.results[0]).toMatchObject({ ok: true, status: 200 });
  });
});
