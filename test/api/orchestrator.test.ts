import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ingestArtifact } from '../../api/artifacts/ingest.ts';
import { orchestratorWorkflowId } from '../../contracts/orchestrator-run.ts';
import { appendEvents } from '../../db/events.ts';
import { APPROVAL_TOKEN_ENV, apiServiceProfiles, seedRun } from '../support/orchestrator-api.ts';
import { startTestApi, type TestApi, until, type Who } from './harness.ts';

/**
 * The orchestrator routes against the real API, Temporal and PostgreSQL. No worker claims `orchestrator`
 * here, so started runs stay pending; finished runs are seeded in the table.
 */
let t: TestApi;
const approvalToken = randomBytes(16).toString('hex');

beforeAll(async () => {
  process.env[APPROVAL_TOKEN_ENV] = approvalToken;
  t = await startTestApi({ MOONMIND_SERVICE_PROFILES: await apiServiceProfiles() });
});
afterAll(async () => {
  await t?.close();
});

const call = async (path: string, init: { method?: string; as?: Who; json?: unknown } = {}) => {
  const res = await t.call(path, {
    method: init.method ?? 'GET',
    as: init.as ?? 'operator',
    json: init.json,
  });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : null };
};
const submit = (json: unknown, as: Who = 'operator') =>
  call('/api/orchestrator/runs', { method: 'POST', as, json });
const issuePaths = (body: { error: { issues?: { path: string }[] } }) =>
  (body.error.issues ?? []).map((i) => i.path).sort();

describe('submitting a run', () => {
  test('every invalid field is named', async () => {
    const r = await submit({ priority: 'urgent', extra: 1 });
    expect(r.status).toBe(400);
    expect(issuePaths(r.body)).toEqual(['extra', 'instruction', 'priority', 'targetService'].sort());
    const blank = await submit({ instruction: '   ', targetService: 'web' });
    expect(issuePaths(blank.body)).toEqual(['instruction']);
  });

  test('a service that is not in the profiles is a 400 naming targetService', async () => {
    const r = await submit({ instruction: 'Fix it', targetService: 'mailer' });
    expect(r.status).toBe(400);
    expect(r.body.error.issues).toEqual([
      { path: 'targetService', message: 'is not a service of the service profiles' },
    ]);
  });

  test('a viewer cannot submit', async () => {
    expect((await submit({ instruction: 'Fix it', targetService: 'web' }, 'viewer')).status).toBe(403);
  });

  test('a run starts pending, readable under both prefixes, and its workflow runs', async () => {
    const r = await submit({ instruction: 'Fix the port in config.json', targetService: 'web' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      status: 'pending',
      targetService: 'web',
      instruction: 'Fix the port in config.json',
      priority: 'normal',
      submittedBy: 'operator-user',
      plan: null,
      retryOf: null,
      publishMode: 'none',
      branch: null,
      prUrl: null,
      publishError: null,
      artifacts: [],
    });
    for (const prefix of ['/api/orchestrator', '/orchestrator']) {
      const one = await call(`${prefix}/runs/${r.body.runId}`, { as: 'viewer' });
      expect(one.status).toBe(200);
      expect(one.body.runId).toBe(r.body.runId);
    }
    const d = await t.client.workflow.getHandle(orchestratorWorkflowId(r.body.runId)).describe();
    expect(d.type).toBe('orchestratorRun');
    expect(d.status.name).toBe('RUNNING');
  });

  test('the publish mode goes to the run and its workflow input; a bad one is named', async () => {
    const bad = await submit({ instruction: 'Fix it', targetService: 'web', publish: { mode: 'tag' } });
    expect(bad.status).toBe(400);
    expect(issuePaths(bad.body)).toEqual(['publish.mode']);
    const r = await submit({ instruction: 'Fix it', targetService: 'web', publish: { mode: 'pr' } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ publishMode: 'pr', branch: null, prUrl: null });
    const handle = t.client.workflow.getHandle(orchestratorWorkflowId(r.body.runId));
    const [start] = (await handle.fetchHistory()).events ?? [];
    const payload = start.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    expect(JSON.parse(Buffer.from(payload as Uint8Array).toString()).publish).toEqual({ mode: 'pr' });
  });

  test("a protected service's token pre-approves the run; a wrong one is refused", async () => {
    const wrong = await submit({
      instruction: 'Rotate keys',
      targetService: 'payments',
      approvalToken: 'nope',
    });
    expect(wrong.status).toBe(403);
    expect(wrong.text).not.toContain(approvalToken);
    const ok = await submit({ instruction: 'Rotate keys', targetService: 'payments', approvalToken });
    expect(ok.status).toBe(201);
    // The run is started approved, by the submitter; the token itself never reaches Temporal.
    const handle = t.client.workflow.getHandle(orchestratorWorkflowId(ok.body.runId));
    const history = JSON.stringify((await handle.fetchHistory()).events);
    expect(history).not.toContain(approvalToken);
    const [start] = (await handle.fetchHistory()).events ?? [];
    const payload = start.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    const input = JSON.parse(Buffer.from(payload as Uint8Array).toString());
    expect(input.approval).toMatchObject({ actor: 'operator-user', tokenVerified: true, atSubmission: true });
    // The profile's runner and the deployment's approval timeout (MOONMIND_ORCHESTRATOR_APPROVAL_TIMEOUT, 24h).
    expect(input).toMatchObject({ runner: 'process', approvalTimeoutSeconds: 86_400, priority: 'normal' });
    // A service without a token takes none.
    const none = await submit({ instruction: 'x', targetService: 'ledger', approvalToken: 'anything' });
    expect(none.status).toBe(400);
    expect(issuePaths(none.body)).toEqual(['approvalToken']);
  });
});

describe('listing runs', () => {
  let failed: string[];
  beforeAll(async () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
    failed = [];
    for (let i = 0; i < 5; i++) failed.push(await seedRun(t.db.sql, { status: 'failed', createdAt: at(i) }));
    await seedRun(t.db.sql, { status: 'succeeded', createdAt: at(10) });
  });

  test('the status filter and cursor pages walk every run once, newest first', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `status=failed&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await call(`/api/orchestrator/runs?${q}`, { as: 'viewer' });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      for (const item of page.body.items) expect(item.status).toBe('failed');
      seen.push(...page.body.items.map((i: { runId: string }) => i.runId));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...failed].reverse());
  });

  test('bad filters and cursors are named', async () => {
    const bad = await call('/orchestrator/runs?status=broken&limit=0', { as: 'viewer' });
    expect(bad.status).toBe(400);
    expect(issuePaths(bad.body)).toEqual(['limit', 'status']);
    const cursor = await call('/api/orchestrator/runs?cursor=garbage', { as: 'viewer' });
    expect(cursor.status).toBe(400);
    expect(issuePaths(cursor.body)).toEqual(['cursor']);
  });
});

describe('approvals and cancel', () => {
  test('a viewer cannot approve; a token for a service that takes none is named', async () => {
    const runId = await seedRun(t.db.sql, { status: 'awaiting_approval', service: 'ledger' });
    const path = `/api/orchestrator/runs/${runId}/approvals`;
    expect((await call(path, { method: 'POST', as: 'viewer', json: {} })).status).toBe(403);
    const r = await call(path, { method: 'POST', json: { token: 'anything' } });
    expect(r.status).toBe(400);
    expect(r.body.error.issues).toEqual([{ path: 'token', message: 'this service takes no approval token' }]);
  });

  test("a protected service's approval needs its token: missing or wrong is a 403, never echoed", async () => {
    const runId = await seedRun(t.db.sql, { status: 'awaiting_approval', service: 'payments' });
    const path = `/orchestrator/runs/${runId}/approvals`;
    expect((await call(path, { method: 'POST', json: {} })).status).toBe(403);
    const wrong = await call(path, { method: 'POST', json: { token: 'not-the-token' } });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.message).toBe('the approval token is wrong');
    const [audit] = await t.db.sql`SELECT detail FROM audit_log WHERE target = ${runId}`;
    expect(JSON.stringify(audit)).not.toContain('not-the-token');
  });

  test('a finished run can be neither approved nor cancelled (409 with the reason)', async () => {
    const runId = await seedRun(t.db.sql, { status: 'rolled_back' });
    const approve = await call(`/api/orchestrator/runs/${runId}/approvals`, { method: 'POST', json: {} });
    expect(approve.status).toBe(409);
    expect(approve.body.error.message).toBe('cannot approve: the run is rolled back');
    const cancel = await call(`/api/orchestrator/runs/${runId}/cancel`, { method: 'POST', json: {} });
    expect(cancel.status).toBe(409);
  });

  test("a run that is not awaiting approval answers the workflow's reason (409); cancel is taken", async () => {
    const r = await submit({ instruction: 'Fix the port', targetService: 'web' });
    const path = `/api/orchestrator/runs/${r.body.runId}`;
    const approve = await call(`${path}/approvals`, { method: 'POST', json: { comment: 'looks fine' } });
    expect(approve.status).toBe(409);
    expect(approve.body.error.message).toBe('cannot approve: the run is not awaiting approval');
    const cancel = await call(`${path}/cancel`, { method: 'POST', json: { reason: 'wrong service' } });
    expect(cancel.status).toBe(200);
    expect(cancel.body.cancelRequestedAt).not.toBeNull();
    // The run ends failed, saying who cancelled it; then there is nothing left to cancel.
    const ended = await until('the run to end', async () => {
      const v = await call(path, { as: 'viewer' });
      return v.body.status === 'failed' && v.body;
    });
    expect(ended.error).toBe('cancelled by operator-user');
    const again = await call(`${path}/cancel`, { method: 'POST', json: {} });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe('cannot cancel: the run is failed');
  });

  test('approving twice is idempotent', async () => {
    const of = await seedRun(t.db.sql, { status: 'failed', service: 'payments' });
    const retry = await call(`/api/orchestrator/runs/${of}/retry`, {
      method: 'POST',
      json: { approvalToken },
    });
    expect(retry.status).toBe(201);
    const path = `/orchestrator/runs/${retry.body.runId}/approvals`;
    for (let i = 0; i < 2; i++) {
      const r = await call(path, { method: 'POST', json: { token: approvalToken } });
      expect(r.status).toBe(200);
      expect(r.body.plan.approval).toMatchObject({
        actor: 'operator-user',
        tokenVerified: true,
        atSubmission: true,
      });
    }
  });

  test('unknown and malformed run ids', async () => {
    const unknown = await call(`/api/orchestrator/runs/${crypto.randomUUID()}`, { as: 'viewer' });
    expect(unknown.status).toBe(404);
    const bad = await call('/api/orchestrator/runs/42/approvals', { method: 'POST', json: {} });
    expect(bad.status).toBe(400);
    expect(issuePaths(bad.body)).toEqual(['runId']);
  });
});

describe('retry', () => {
  test('only a finished run with a plan can be retried', async () => {
    const running = await seedRun(t.db.sql, { status: 'running' });
    const r1 = await call(`/api/orchestrator/runs/${running}/retry`, { method: 'POST' });
    expect(r1.status).toBe(409);
    expect(r1.body.error.message).toBe('cannot retry: the run is running');
    const planless = await seedRun(t.db.sql, { status: 'failed', plan: false });
    const r2 = await call(`/api/orchestrator/runs/${planless}/retry`, { method: 'POST' });
    expect(r2.status).toBe(409);
    expect(r2.body.error.message).toBe('cannot retry: the run has no plan to reuse');
  });

  test("a retry is a new run with the earlier run's plan, asking for approval again", async () => {
    const of = await seedRun(t.db.sql, { status: 'rolled_back', service: 'ledger' });
    await t.db.sql`
      UPDATE orchestrator_runs SET state = jsonb_set(jsonb_set(state, '{plan,approval}',
        '{"actor":"someone","at":"2026-01-01T00:00:00Z","tokenVerified":false}'), '{publishMode}', '"branch"')
      WHERE id = ${of}`;
    const r = await call(`/orchestrator/runs/${of}/retry`, { method: 'POST' });
    expect(r.status).toBe(201);
    expect(r.body.runId).not.toBe(of);
    expect(r.body).toMatchObject({
      retryOf: of,
      targetService: 'ledger',
      status: 'pending',
      publishMode: 'branch',
    });
    expect(r.body.plan).toMatchObject({ files: ['config.json'], approval: null });
    expect(r.body.submittedBy).toBe('operator-user');
  });
});

describe('artifacts, events and services', () => {
  test("a run's artifacts are listed, downloadable and on its detail; its events readable", async () => {
    const runId = await seedRun(t.db.sql, { status: 'succeeded' });
    const deps = t.api.deps;
    await ingestArtifact(
      { sql: deps.sql, artifacts: deps.artifacts, maxBytes: 1_000_000 },
      runId,
      'patch.diff',
      'text/x-diff',
      Readable.from(['-  "port": 1\n+  "port": 8080\n']),
    );
    await appendEvents(deps.sql, runId, {
      producer: 'test',
      events: [
        { seq: 1, level: 'info', type: 'step.finished', message: 'patch: 1 file changed', payload: {} },
      ],
    });
    const list = await call(`/api/orchestrator/runs/${runId}/artifacts`, { as: 'viewer' });
    expect(list.body.items.map((a: { name: string }) => a.name)).toEqual(['patch.diff']);
    const res = await t.call(list.body.items[0].downloadUrl, { as: 'viewer' });
    expect(await res.text()).toContain('+  "port": 8080');
    const detail = await call(`/orchestrator/runs/${runId}`, { as: 'viewer' });
    expect(detail.body.artifacts).toEqual([
      expect.objectContaining({ name: 'patch.diff', contentType: 'text/x-diff' }),
    ]);
    const events = await call(`/api/orchestrator/runs/${runId}/events`, { as: 'viewer' });
    expect(events.body.items.map((e: { message: string }) => e.message)).toEqual(['patch: 1 file changed']);
    // A finished run's stream sends what there is, then ends.
    const stream = await t.call(`/api/orchestrator/runs/${runId}/events/stream`, { as: 'viewer' });
    const text = await stream.text();
    expect(text).toContain('patch: 1 file changed');
    expect(text).toContain('event: end\ndata: {"status":"succeeded"}');
  });

  test('services name what a form needs and hide paths, commands and token references', async () => {
    const r = await call('/api/orchestrator/services', { as: 'viewer' });
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual([
      {
        name: 'web',
        runner: 'process',
        protected: false,
        requiresToken: false,
        healthUrl: 'http://127.0.0.1:9/health',
      },
      {
        name: 'payments',
        runner: 'process',
        protected: true,
        requiresToken: true,
        healthUrl: 'http://127.0.0.1:9/health',
      },
      {
        name: 'ledger',
        runner: 'process',
        protected: true,
        requiresToken: false,
        healthUrl: 'http://127.0.0.1:9/health',
      },
    ]);
    for (const hidden of ['srv', 'sleep', APPROVAL_TOKEN_ENV, 'config.json'])
      expect(r.text).not.toContain(hidden);
  });
});
