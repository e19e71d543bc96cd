import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startApi } from '../../api/main.ts';
import { controlSignal, controlVerdictQuery } from '../../workflows/messages.ts';
import { envelope, startTestApi, type TestApi, until } from './harness.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(async () => {
  await t?.close();
});

const submit = async (
  json: unknown,
  headers: Record<string, string> = {},
  as: 'operator' | 'admin' = 'operator',
) => {
  const res = await t.call('/api/queue/jobs', { method: 'POST', as, json, headers });
  return { status: res.status, body: await res.json() };
};
const detail = async (id: string) => (await t.call(`/api/queue/jobs/${id}`, { as: 'viewer' })).json();
const list = async (query: string) => {
  const res = await t.call(`/api/queue/jobs?${query}`, { as: 'viewer' });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    items: { id: string; status: string; repository: string; runtime: string }[];
    nextCursor: string | null;
  };
};

describe('idempotent submission', () => {
  test('the same Idempotency-Key sent 20 times at once makes one job', async () => {
    const key = `key-${crypto.randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => submit(envelope('acme/idem'), { 'Idempotency-Key': key })),
    );
    const ids = new Set(results.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect(results.map((r) => r.status).sort()).toEqual([...Array(19).fill(200), 201]);
    const [id] = ids;
    const runs = await t.client.workflow.count(`WorkflowId = 'job-${id}'`);
    expect(runs.count).toBe(1);

    const later = await submit(envelope('acme/idem'), { 'Idempotency-Key': key });
    expect(later).toMatchObject({ status: 200, body: { id } });
    const otherUser = await submit(envelope('acme/idem'), { 'Idempotency-Key': key }, 'admin');
    expect(otherUser.status).toBe(201);
    expect(otherUser.body.id).not.toBe(id);
  });

  test('another API process (a restart) maps the same key to the same job', async () => {
    const key = `restart-${crypto.randomUUID()}`;
    const first = await submit(envelope('acme/idem'), { 'Idempotency-Key': key });
    const other = await startApi({ config: t.api.deps.config, port: 0, controlWorker: false, webDir: null });
    try {
      const res = await fetch(`${other.url}/api/queue/jobs`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${t.tokens.operator}`,
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        body: JSON.stringify(envelope('acme/idem')),
      });
      expect(res.status).toBe(200);
      expect((await res.json()).id).toBe(first.body.id);
    } finally {
      await other.close();
    }
  });

  test('clientRequestId in the envelope works like the header', async () => {
    const json = { ...envelope('acme/idem'), clientRequestId: `req-${crypto.randomUUID()}` };
    const first = await submit(json);
    const second = await submit(json);
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(second.body.id).toBe(first.body.id);
  });
});

describe('lists and details', () => {
  test('filters by search attributes, pages with an opaque cursor, newest first', async () => {
    const a1 = (await submit(envelope('acme/list-a'))).body.id;
    const a2 = (await submit(envelope('acme/list-a'))).body.id;
    const g = (
      await submit({
        ...envelope('acme/list-b'),
        payload: { ...envelope('acme/list-b').payload, targetRuntime: 'gemini' },
      })
    ).body.id;
    const byRepo = await until('repository filter', async () => {
      const page = await list('repository=acme/list-a');
      return page.items.length === 2 ? page : null;
    });
    expect(byRepo.items.map((i) => i.id).sort()).toEqual([a1, a2].sort());
    expect(byRepo.items.every((i) => i.repository === 'acme/list-a')).toBe(true);
    const gem = await until('runtime filter', async () => {
      const page = await list('runtime=gemini&status=queued');
      return page.items.length ? page : null;
    });
    expect(gem.items.map((i) => i.id)).toEqual([g]);

    const first = await list('repository=acme/list-a&limit=1');
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await list(
      `repository=acme/list-a&limit=1&cursor=${encodeURIComponent(first.nextCursor!)}`,
    );
    expect(second.items).toHaveLength(1);
    expect(new Set([first.items[0].id, second.items[0].id])).toEqual(new Set([a1, a2]));
    expect(first.items[0].id).toBe(a2);

    const bad = await t.call('/api/queue/jobs?status=exploded&limit=9999', { as: 'viewer' });
    expect(bad.status).toBe(400);
    const issues = (await bad.json()).error.issues.map((i: { path: string }) => i.path).sort();
    expect(issues).toEqual(['limit', 'status']);
  });

  test('detail carries the Temporal Web UI link and the live state', async () => {
    const { body } = await submit(envelope('acme/detail'));
    const view = await until('waiting reason', async () => {
      const d = await detail(body.id);
      return d.waitingReason ? d : null;
    });
    expect(view).toMatchObject({
      id: body.id,
      status: 'queued',
      repository: 'acme/detail',
      temporal: {
        workflowId: `job-${body.id}`,
        url: `http://temporal-ui.test/namespaces/${t.client.options.namespace}/workflows/job-${body.id}`,
      },
      live: { status: 'queued', attempt: 1 },
    });
    expect(view.waitingReason).toMatch(/no worker pool is registered/);
    // UUIDs are case-insensitive (as the OpenAPI pattern says): an upper-case id is the same job.
    const upper = await t.call(`/api/queue/jobs/${body.id.toUpperCase()}`, { as: 'viewer' });
    expect(upper.status).toBe(200);
    expect((await upper.json()).id).toBe(body.id);
    const missing = await t.call(`/api/queue/jobs/${crypto.randomUUID()}`, { as: 'viewer' });
    expect(missing.status).toBe(404);
    const notAnId = await t.call('/api/queue/jobs/not-a-uuid', { as: 'viewer' });
    expect(notAnId.status).toBe(400);
    expect((await notAnId.json()).error.issues).toEqual([
      { path: 'jobId', message: 'must be a job id (a UUID)' },
    ]);
  });

  test('a run Temporal terminated reads as cancelled, in detail and in the cancelled filter', async () => {
    const { body } = await submit(envelope('acme/terminated'));
    await t.client.workflow.getHandle(`job-${body.id}`).terminate('operator used the Web UI');
    expect((await detail(body.id)).status).toBe('cancelled');
    await until('cancelled filter', async () =>
      (await list('status=cancelled&repository=acme/terminated')).items.some((i) => i.id === body.id),
    );
    expect((await list('status=queued&repository=acme/terminated')).items).toEqual([]);
  });
});

describe('controls', () => {
  test('cancel is audited, ends the run, and a second cancel is a 409', async () => {
    const { body } = await submit(envelope('acme/cancel'));
    const res = await t.call(`/api/queue/jobs/${body.id}/cancel`, {
      method: 'POST',
      as: 'operator',
      json: { reason: 'wrong repo' },
    });
    expect(res.status).toBe(200);
    const view = await until('cancelled', async () => {
      const d = await detail(body.id);
      return d.status === 'cancelled' ? d : null;
    });
    expect(view.cancelRequestedAt ?? view.finishedAt).toEqual(expect.any(String));
    const again = await t.call(`/api/queue/jobs/${body.id}/cancel`, {
      method: 'POST',
      as: 'operator',
      json: {},
    });
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe('conflict');
    const [row] = await t.db
      .sql`SELECT actor_kind, action, detail FROM audit_log WHERE target = ${body.id} AND action = 'job.cancel'`;
    expect(row).toMatchObject({ actor_kind: 'user', action: 'job.cancel', detail: { reason: 'wrong repo' } });
  });

  test('pause and resume follow allowedActions; takeover of a queued run is refused', async () => {
    const { body } = await submit(envelope('acme/pause'));
    const control = (json: unknown) =>
      t.call(`/api/queue/jobs/${body.id}/control`, { method: 'POST', as: 'operator', json });
    const paused = await control({ action: 'pause', mode: 'soft' });
    expect(paused.status).toBe(200);
    expect(await paused.json()).toMatchObject({ paused: true, status: 'awaiting_action' });
    const again = await control({ action: 'pause' });
    expect(again.status).toBe(409);
    expect((await again.json()).error.message).toBe('cannot pause: the run is already paused');
    // The workflow's rule: a soft pause may become hard.
    const hard = await control({ action: 'pause', mode: 'hard' });
    expect(hard.status).toBe(200);
    expect((await hard.json()).live).toMatchObject({ paused: true, pauseMode: 'hard' });
    const resumed = await control({ action: 'resume' });
    expect(resumed.status).toBe(200);
    expect(await resumed.json()).toMatchObject({ paused: false, status: 'queued' });
    expect((await control({ action: 'resume' })).status).toBe(409);
    const takeover = await control({ action: 'takeover' });
    expect(takeover.status).toBe(409);
    expect((await takeover.json()).error.message).toBe('cannot takeover: the run has not started');
    const bad = await control({ action: 'explode' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.issues[0].path).toBe('action');
  });

  test('a malformed control signal (as sent from the Temporal CLI) is recorded as ignored, and the run goes on', async () => {
    const { body } = await submit(envelope('acme/malformed'));
    const handle = t.client.workflow.getHandle(`job-${body.id}`);
    await handle.signal(controlSignal, {
      requestId: 'cli-1',
      actor: 'ops',
      action: 'message',
      message: 42,
    } as never);
    expect(await handle.query(controlVerdictQuery, 'cli-1')).toMatchObject({
      accepted: false,
      reason: expect.stringContaining('message'),
    });
    const rejected = await until('rejected event', async () => {
      const events = (await (await t.call(`/api/queue/jobs/${body.id}/events`, { as: 'viewer' })).json())
        .items;
      return events.find((e: { type: string }) => e.type === 'control.rejected');
    });
    expect(rejected.level).toBe('warn');
    // Still answering: the handler did not fail a workflow task.
    const paused = await t.call(`/api/queue/jobs/${body.id}/control`, {
      method: 'POST',
      as: 'operator',
      json: { action: 'pause' },
    });
    expect(paused.status).toBe(200);
  });

  test('an operator message is recorded as an event with its actor', async () => {
    const { body } = await submit(envelope('acme/message'));
    const res = await t.call(`/api/queue/jobs/${body.id}/operator-messages`, {
      method: 'POST',
      as: 'operator',
      json: { message: 'use the v2 parser' },
    });
    expect(res.status).toBe(200);
    const { requestId } = await res.json();
    const event = await until('message event', async () => {
      const events = (await (await t.call(`/api/queue/jobs/${body.id}/events`, { as: 'viewer' })).json())
        .items;
      return events.find((e: { type: string }) => e.type === 'control.operator_message');
    });
    expect(event.payload).toMatchObject({ requestId, actor: 'operator-user', message: 'use the v2 parser' });
  });
});

describe('worker registration', () => {
  test('a new pool wakes queued runs at once; a repeat changes nothing', async () => {
    const { body } = await submit(envelope('acme/wake'));
    const started = Date.now();
    await until('first routing', async () =>
      (await detail(body.id)).waitingReason?.includes('no worker pool is registered'),
    );
    // The run re-checks on its own 5 s and then 15 s after its first check: register between the two.
    await new Promise((r) => setTimeout(r, Math.max(0, 6_500 - (Date.now() - started))));
    const registration = {
      taskQueue: 'moonmind-pool-wake',
      pool: 'wake',
      hostId: 'h1',
      hostQueue: 'moonmind-host-h1',
      capabilities: ['codex', 'git'],
      jobTypes: ['task'],
      repositories: ['acme/*'],
    };
    const reg = await t.call('/api/worker/register', { method: 'POST', as: 'workerIn', json: registration });
    expect(await reg.json()).toEqual({ ok: true, changed: true });
    const registeredAt = Date.now();
    await until(
      'woken',
      async () => (await detail(body.id)).waitingReason?.includes('no worker is polling'),
      5_000,
    );
    expect(Date.now() - registeredAt).toBeLessThan(5_000);
    const again = await t.call('/api/worker/register', {
      method: 'POST',
      as: 'workerIn',
      json: registration,
    });
    expect(await again.json()).toEqual({ ok: true, changed: false });
    const outside = await t.call('/api/worker/register', {
      method: 'POST',
      as: 'workerIn',
      json: { ...registration, repositories: ['*'] },
    });
    expect(outside.status).toBe(403);
    const pools = await (await t.call('/api/admin/workers', { as: 'admin' })).json();
    expect(pools.items).toEqual([
      expect.objectContaining({ pool: 'wake', live: false, capabilities: ['codex', 'git'] }),
    ]);
  });
});

describe('sessions and tokens', () => {
  test('cookie sign-in, CSRF on writes, sign-out', async () => {
    const signIn = await t.call('/api/auth/session', { method: 'POST', json: { token: t.tokens.operator } });
    expect(signIn.status).toBe(200);
    const { user, csrfToken } = await signIn.json();
    expect(user).toMatchObject({ name: 'operator-user', role: 'operator' });
    const setCookie = signIn.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/mm_session=/);
    expect(setCookie.toLowerCase()).toContain('httponly');
    expect(setCookie.toLowerCase()).toContain('samesite=lax');
    expect(setCookie.toLowerCase()).not.toContain('secure');
    const cookie = setCookie.split(';')[0];

    const me = await t.call('/api/auth/me', { headers: { cookie } });
    expect(await me.json()).toEqual({ user, csrfToken });
    const noCsrf = await t.call('/api/queue/jobs', { method: 'POST', headers: { cookie }, json: envelope() });
    expect(noCsrf.status).toBe(403);
    expect((await noCsrf.json()).error.code).toBe('csrf_failed');
    const withCsrf = await t.call('/api/queue/jobs', {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrfToken },
      json: envelope(),
    });
    expect(withCsrf.status).toBe(201);

    const out = await t.call('/api/auth/session', {
      method: 'DELETE',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    expect(out.status).toBe(204);
    expect((await t.call('/api/auth/me', { headers: { cookie } })).status).toBe(401);
    const worker = await t.call('/api/auth/session', { method: 'POST', json: { token: t.tokens.workerIn } });
    expect(worker.status).toBe(401);
  });

  test('an admin creates a user and a token; revoking it locks the token out', async () => {
    const created = await t.call('/api/admin/users', {
      method: 'POST',
      as: 'admin',
      json: { name: 'carol', role: 'viewer' },
    });
    expect(created.status).toBe(201);
    const { id } = await created.json();
    const tok = await (
      await t.call(`/api/admin/users/${id}/tokens`, { method: 'POST', as: 'admin', json: { name: 'laptop' } })
    ).json();
    expect(tok.token).toMatch(/^mm_u_/);
    const me = await fetch(`${t.url}/api/auth/me`, { headers: { authorization: `Bearer ${tok.token}` } });
    expect((await me.json()).user).toMatchObject({ name: 'carol', role: 'viewer' });
    const [stored] = await t.db.sql`SELECT token_hash FROM api_tokens WHERE id = ${tok.id}`;
    expect(stored.token_hash).not.toContain(tok.token);
    expect((await t.call(`/api/admin/tokens/${tok.id}`, { method: 'DELETE', as: 'admin' })).status).toBe(204);
    const after = await fetch(`${t.url}/api/auth/me`, { headers: { authorization: `Bearer ${tok.token}` } });
    expect(after.status).toBe(401);
    const dup = await t.call('/api/admin/users', {
      method: 'POST',
      as: 'admin',
      json: { name: 'carol', role: 'viewer' },
    });
    expect(dup.status).toBe(409);
  });
});
