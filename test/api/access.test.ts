import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { storeFor } from '../../activities/manifest/stores/index.ts';
import { ingestArtifact } from '../../api/artifacts/ingest.ts';
import { insertTemplate } from '../../api/presets/store.ts';
import { routes } from '../../api/routes/index.ts';
import type { RouteDef } from '../../api/routes/table.ts';
import { parseManifest } from '../../contracts/manifest-parse.ts';
import { putManifest } from '../../db/manifests.ts';
import { type EmbeddingDouble, startEmbeddingDouble } from '../fakes/embedding-double.ts';
import { hello, openSocket, type TestSocket } from '../support/live-socket.ts';
import { APPROVAL_TOKEN_ENV, apiServiceProfiles, seedRun } from '../support/orchestrator-api.ts';
import { envelope, seedProposal, startTestApi, type TestApi, type Who } from './harness.ts';

let t: TestApi;
let jobId: string;
let artifactId: string;
const instructions = 'Add a test for the parser';
const approvalToken = crypto.randomUUID();
let finishedRun: string;
let runArtifactId: string;
let embeddings: EmbeddingDouble;
/** A registry manifest over the embedding double, its (empty) collection created, for the manifest routes. */
const manifestYaml = (baseUrl: string) => `version: v0
metadata: { name: access-docs }
embeddings: { provider: ollama, model: m, dimensions: 8, baseUrl: "${baseUrl}" }
vectorStore: { type: pgvector, indexName: access_docs, allowCreateCollection: true }
dataSources: [{ id: docs, type: SimpleDirectoryReader, params: { path: ./docs } }]
`;

beforeAll(async () => {
  process.env[APPROVAL_TOKEN_ENV] = approvalToken;
  t = await startTestApi({ MOONMIND_SERVICE_PROFILES: await apiServiceProfiles() });
  const res = await t.call('/api/queue/jobs', { method: 'POST', as: 'operator', json: envelope() });
  jobId = (await res.json()).id;
  const put = await t.call(`/api/worker/jobs/${jobId}/artifacts/logs/execute.log`, {
    method: 'PUT',
    as: 'workerIn',
    headers: { 'content-type': 'text/plain' },
    body: 'hello\n',
  });
  artifactId = (await put.json()).id;
  finishedRun = await seedRun(t.db.sql, { status: 'succeeded' });
  const deps = t.api.deps;
  runArtifactId = (
    await ingestArtifact(
      { sql: deps.sql, artifacts: deps.artifacts, maxBytes: 1024 },
      finishedRun,
      'build.log',
      'text/plain',
      Readable.from(['built\n']),
    )
  ).id;
  embeddings = await startEmbeddingDouble({ dimensions: 8 });
  const content = manifestYaml(embeddings.url);
  const parsed = parseManifest(content);
  if (!parsed.ok) throw new Error('manifest fixture invalid');
  await putManifest(t.db.sql, { name: 'access-docs', content, hash: 'h', version: 'v0', updatedBy: 'admin' });
  const store = await storeFor(parsed.manifest, {
    vectorDatabaseUrl: deps.config.MOONMIND_VECTOR_DATABASE_URL,
    dataDir: deps.config.MOONMIND_DATA_DIR,
  });
  await store.ensureCollection({ dimensions: 8, allowCreate: true });
  await store.close();
  await t.db.sql`
    INSERT INTO team_members (team, user_id)
    SELECT 'matrix', id FROM users WHERE name = 'operator-user' OR role = 'admin'`;
});
afterAll(async () => {
  for (const s of liveWorkers) await s.close().catch(() => {});
  await embeddings?.close();
  await t?.close();
});

const newJob = async () =>
  (await (await t.call('/api/queue/jobs', { method: 'POST', as: 'admin', json: envelope() })).json())
    .id as string;

/** A job that has finished (cancelled while queued: no worker serves this API's runs). */
const finishedJob = async () => {
  const id = await newJob();
  await t.call(`/api/queue/jobs/${id}/cancel`, { method: 'POST', as: 'admin', json: {} });
  for (let i = 0; i < 50; i++) {
    const view = await (await t.call(`/api/queue/jobs/${id}`, { as: 'admin' })).json();
    if (view.status === 'cancelled') return id;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${id} did not end cancelled`);
};

/** A job whose (test) worker streams a live session: it is open, so live-session writes apply. */
const liveWorkers: TestSocket[] = [];
const liveJob = async () => {
  const id = await newJob();
  const worker = await openSocket(`${t.url}/api/worker/jobs/${id}/live-session/socket`, t.tokens.workerIn);
  liveWorkers.push(worker);
  worker.send(hello({ hostId: `host-${id}`, autoStart: true }));
  await worker.next((f) => f.t === 'start', 'start');
  return id;
};
/** Queued runs cannot be taken over (nor handed back): their 409 shows the caller got past authorization. */
const conflictsAreOk = new Set([
  '/api/queue/jobs/{jobId}/live-session/takeover',
  '/api/queue/jobs/{jobId}/live-session/hand-back',
]);

const scheduleBody = () => ({
  name: 'Access check',
  spec: { cron: '0 0 1 1 *' },
  job: envelope(),
  paused: true,
});
const newSchedule = async () =>
  (await (await t.call('/api/schedules', { method: 'POST', as: 'admin', json: scheduleBody() })).json())
    .id as string;

const registration = {
  taskQueue: 'moonmind-pool-acme',
  pool: 'acme',
  hostId: 'host-1',
  hostQueue: 'moonmind-host-host-1',
  capabilities: ['codex', 'git'],
  jobTypes: ['task'],
  repositories: ['acme/*'],
};

/** A valid request for each route (fresh resources where a call changes state). */
const samples: Record<
  string,
  () => Promise<{ path: string; json?: unknown; body?: string; headers?: Record<string, string> }>
> = {
  'get /healthz': async () => ({ path: '/healthz' }),
  'get /readyz': async () => ({ path: '/readyz' }),
  'get /api/openapi.json': async () => ({ path: '/api/openapi.json' }),
  'get /api/auth/providers': async () => ({ path: '/api/auth/providers' }),
  'post /api/auth/session': async () => ({ path: '/api/auth/session', json: { token: t.tokens.viewer } }),
  'get /api/auth/me': async () => ({ path: '/api/auth/me' }),
  'delete /api/auth/session': async () => ({ path: '/api/auth/session' }),
  // Without an OIDC client configured both end on the sign-in page (a redirect, for everyone).
  'get /api/auth/oidc/login': async () => ({ path: '/api/auth/oidc/login?next=/tasks' }),
  'get /api/auth/oidc/callback': async () => ({ path: '/api/auth/oidc/callback?code=c&state=s' }),
  'get /api/tasks/defaults': async () => ({ path: '/api/tasks/defaults' }),
  'get /api/tasks/skills': async () => ({ path: '/api/tasks/skills' }),
  'get /api/tasks/fleet': async () => ({ path: '/api/tasks/fleet?repository=acme/widgets' }),
  'post /api/queue/jobs': async () => ({ path: '/api/queue/jobs', json: envelope() }),
  'get /api/queue/jobs': async () => ({ path: '/api/queue/jobs?limit=5' }),
  'get /api/manifests': async () => ({ path: '/api/manifests' }),
  'post /api/manifest-validation': async () => ({
    path: '/api/manifest-validation',
    json: { content: manifestYaml(embeddings.url) },
  }),
  'get /api/manifests/{name}': async () => ({ path: '/api/manifests/access-docs' }),
  'put /api/manifests/{name}': async () => ({
    path: '/api/manifests/access-docs',
    json: { content: manifestYaml(embeddings.url) },
  }),
  'post /api/manifests/{name}/runs': async () => ({
    path: '/api/manifests/access-docs/runs',
    json: { action: 'plan' },
  }),
  'post /api/manifests/{name}/search': async () => ({
    path: '/api/manifests/access-docs/search',
    json: { query: 'hello', topK: 3 },
  }),
  'get /api/queue/counts': async () => ({ path: '/api/queue/counts?q=acme' }),
  'get /api/queue/jobs/{jobId}': async () => ({ path: `/api/queue/jobs/${jobId}` }),
  'post /api/queue/jobs/{jobId}/cancel': async () => ({
    path: `/api/queue/jobs/${await newJob()}/cancel`,
    json: {},
  }),
  'post /api/queue/jobs/{jobId}/control': async () => ({
    path: `/api/queue/jobs/${await newJob()}/control`,
    json: { action: 'pause' },
  }),
  'post /api/queue/jobs/{jobId}/rerun': async () => ({
    path: `/api/queue/jobs/${await finishedJob()}/rerun`,
  }),
  'post /api/queue/jobs/{jobId}/operator-messages': async () => ({
    path: `/api/queue/jobs/${jobId}/operator-messages`,
    json: { message: 'please also update the docs' },
  }),
  'get /api/queue/jobs/{jobId}/events': async () => ({ path: `/api/queue/jobs/${jobId}/events` }),
  'get /api/queue/jobs/{jobId}/events/search': async () => ({
    path: `/api/queue/jobs/${jobId}/events/search?q=hi`,
  }),
  'get /api/queue/jobs/{jobId}/events/stream': async () => ({
    path: `/api/queue/jobs/${jobId}/events/stream`,
  }),
  'get /api/queue/jobs/{jobId}/artifacts': async () => ({ path: `/api/queue/jobs/${jobId}/artifacts` }),
  'get /api/queue/jobs/{jobId}/artifacts/{artifactId}/download': async () => ({
    path: `/api/queue/jobs/${jobId}/artifacts/${artifactId}/download`,
  }),
  'post /api/worker/jobs/{jobId}/events': async () => ({
    path: `/api/worker/jobs/${jobId}/events`,
    json: { producer: `p-${randomUUID()}`, events: [{ seq: 1, type: 'log', message: 'hi' }] },
  }),
  'put /api/worker/jobs/{jobId}/artifacts/{name}': async () => ({
    path: `/api/worker/jobs/${jobId}/artifacts/logs/prepare.log`,
    body: 'prepared\n',
    headers: { 'content-type': 'text/plain' },
  }),
  'get /api/queue/jobs/{jobId}/live-session': async () => ({ path: `/api/queue/jobs/${jobId}/live-session` }),
  'post /api/queue/jobs/{jobId}/live-session': async () => ({
    path: `/api/queue/jobs/${await liveJob()}/live-session`,
  }),
  'post /api/queue/jobs/{jobId}/live-session/grant-write': async () => ({
    path: `/api/queue/jobs/${await liveJob()}/live-session/grant-write`,
    json: { minutes: 5 },
  }),
  'post /api/queue/jobs/{jobId}/live-session/revoke': async () => ({
    path: `/api/queue/jobs/${await liveJob()}/live-session/revoke`,
    json: {},
  }),
  'post /api/queue/jobs/{jobId}/live-session/takeover': async () => ({
    path: `/api/queue/jobs/${jobId}/live-session/takeover`,
    json: {},
  }),
  'post /api/queue/jobs/{jobId}/live-session/hand-back': async () => ({
    path: `/api/queue/jobs/${jobId}/live-session/hand-back`,
    json: { summary: 'done' },
  }),
  // A plain GET of a socket route answers 426 to whoever may upgrade it.
  'get /api/queue/jobs/{jobId}/live-session/socket': async () => ({
    path: `/api/queue/jobs/${jobId}/live-session/socket`,
  }),
  'get /api/worker/jobs/{jobId}/live-session/socket': async () => ({
    path: `/api/worker/jobs/${jobId}/live-session/socket`,
  }),
  'post /api/worker/register': async () => ({ path: '/api/worker/register', json: registration }),
  'post /api/worker/ping': async () => {
    // A ping is for a host its token registered.
    await t.call('/api/worker/register', { method: 'POST', as: 'workerIn', json: registration });
    return { path: '/api/worker/ping', json: { hostId: 'host-1', attempts: [] } };
  },
  'get /api/admin/users': async () => ({ path: '/api/admin/users' }),
  'post /api/admin/users': async () => ({
    path: '/api/admin/users',
    json: { name: `u-${randomUUID()}`, role: 'viewer' },
  }),
  'post /api/admin/users/{userId}/tokens': async () => {
    const [u] = await t.db.sql`SELECT id FROM users WHERE name = 'viewer-user'`;
    return { path: `/api/admin/users/${u.id}/tokens`, json: { name: 'script' } };
  },
  'get /api/admin/worker-tokens': async () => ({ path: '/api/admin/worker-tokens' }),
  'post /api/admin/worker-tokens': async () => ({
    path: '/api/admin/worker-tokens',
    json: { name: 'w', jobTypes: ['task'], repositories: ['acme/*'], capabilities: ['codex'] },
  }),
  'delete /api/admin/tokens/{tokenId}': async () => {
    const [tok] = await t.db.sql`
      INSERT INTO api_tokens (id, kind, name, token_hash, token_prefix) VALUES (${randomUUID()}, 'worker', 'throwaway', ${randomUUID()}, 'x')
      RETURNING id`;
    return { path: `/api/admin/tokens/${tok.id}` };
  },
  'get /api/admin/workers': async () => ({ path: '/api/admin/workers' }),
  'get /api/admin/teams': async () => ({ path: '/api/admin/teams' }),
  'put /api/admin/teams/{team}/members/{userId}': async () => ({
    path: `/api/admin/teams/readers/members/${await userIdOf('viewer-user')}`,
  }),
  'delete /api/admin/teams/{team}/members/{userId}': async () => {
    const userId = await userIdOf('viewer-user');
    await t.db
      .sql`INSERT INTO team_members (team, user_id) VALUES ('leavers', ${userId}) ON CONFLICT DO NOTHING`;
    return { path: `/api/admin/teams/leavers/members/${userId}` };
  },
  // Presets: a seeded global template for what everyone may do; fresh ones where a call changes state.
  'get /api/task-step-templates': async () => ({ path: '/api/task-step-templates?tag=security' }),
  'post /api/task-step-templates': async () => ({
    path: '/api/task-step-templates',
    json: {
      slug: `mine-${randomUUID()}`.slice(0, 40),
      scope: 'personal',
      title: 'Mine',
      steps: [{ instructions: 'Do it' }],
    },
  }),
  'post /api/task-step-templates/save-from-task': async () => ({
    path: '/api/task-step-templates/save-from-task',
    json: {
      slug: `saved-${randomUUID()}`.slice(0, 40),
      title: 'Saved',
      steps: [{ title: 'One', instructions: 'Do it' }],
    },
  }),
  'get /api/task-step-templates/{slug}': async () => ({ path: '/api/task-step-templates/security-sweep' }),
  'get /api/task-step-templates/{slug}/versions/{version}': async () => ({
    path: '/api/task-step-templates/security-sweep/versions/1.0.0',
  }),
  'post /api/task-step-templates/{slug}:expand': async () => ({
    path: '/api/task-step-templates/security-sweep:expand',
    json: { inputs: { depth: 'thorough' } },
  }),
  'post /api/task-step-templates/{slug}:favorite': async () => ({
    path: '/api/task-step-templates/security-sweep:favorite',
  }),
  'delete /api/task-step-templates/{slug}:favorite': async () => ({
    path: '/api/task-step-templates/security-sweep:favorite',
  }),
  'delete /api/task-step-templates/{slug}': async () => {
    // A team template of a team the operator and the admin are in (the viewer is refused by role first).
    const slug = `team-${randomUUID()}`.slice(0, 40);
    await insertTemplate(
      t.db.sql,
      {
        slug,
        version: '1.0.0',
        scope: 'team',
        team: 'matrix',
        title: 'T',
        description: '',
        inputs: [],
        steps: [{ title: null, instructions: 'x', skill: null, annotations: {} }],
        tags: [],
        requiredCapabilities: [],
        isActive: true,
      },
      { ownerKey: 'matrix', ownerId: null, createdBy: null },
    );
    return { path: `/api/task-step-templates/${slug}` };
  },
  // Proposals: fresh open ones where a call changes state.
  'post /api/proposals': async () => ({
    path: '/api/proposals',
    json: { title: `Add tests ${randomUUID()}`, taskCreateRequest: envelope() },
  }),
  'get /api/proposals': async () => ({ path: '/api/proposals?status=open&limit=5' }),
  'post /api/proposals/bulk': async () => ({
    path: '/api/proposals/bulk',
    json: { action: 'dismiss', ids: [await seedProposal(t)] },
  }),
  'get /api/proposals/{id}': async () => ({ path: `/api/proposals/${await seedProposal(t)}` }),
  'post /api/proposals/{id}/promote': async () => ({
    path: `/api/proposals/${await seedProposal(t)}/promote`,
    json: {},
  }),
  'post /api/proposals/{id}/dismiss': async () => ({
    path: `/api/proposals/${await seedProposal(t)}/dismiss`,
    json: { note: 'not now' },
  }),
  'post /api/proposals/{id}/accept': async () => ({
    path: `/api/proposals/${await seedProposal(t)}/accept`,
    json: {},
  }),
  'post /api/proposals/{id}/reject': async () => ({
    path: `/api/proposals/${await seedProposal(t)}/reject`,
    json: {},
  }),
  'post /api/proposals/{id}/priority': async () => ({
    path: `/api/proposals/${await seedProposal(t)}/priority`,
    json: { priority: 5 },
  }),
  'post /api/proposals/{id}/snooze': async () => ({
    path: `/api/proposals/${await seedProposal(t)}/snooze`,
    json: { until: new Date(Date.now() + 3_600_000).toISOString() },
  }),
  'post /api/proposals/{id}/unsnooze': async () => ({
    path: `/api/proposals/${await seedProposal(t)}/unsnooze`,
    json: {},
  }),
  // Schedules: a fresh paused one (a yearly cron) where a call changes it.
  'post /api/schedules': async () => ({ path: '/api/schedules', json: scheduleBody() }),
  'get /api/schedules': async () => ({ path: '/api/schedules' }),
  'get /api/schedules/{id}': async () => ({ path: `/api/schedules/${await newSchedule()}` }),
  'patch /api/schedules/{id}': async () => ({
    path: `/api/schedules/${await newSchedule()}`,
    json: { note: 'reviewed' },
  }),
  'delete /api/schedules/{id}': async () => ({ path: `/api/schedules/${await newSchedule()}` }),
  'post /api/schedules/{id}/trigger': async () => ({ path: `/api/schedules/${await newSchedule()}/trigger` }),
  ...orchestratorSamples('/api/orchestrator'),
  ...orchestratorSamples('/orchestrator'),
};

/** An orchestrator run started through the API (pending: no worker claims `orchestrator` here). */
const newRun = async () =>
  (
    await (
      await t.call('/api/orchestrator/runs', {
        method: 'POST',
        as: 'admin',
        json: { instruction: 'Fix the port', targetService: 'web' },
      })
    ).json()
  ).runId as string;

/**
 * The orchestrator routes, served under both prefixes. The approval goes to a retry approved with its
 * token at submission, so approving it again is accepted whatever step it is at.
 */
function orchestratorSamples(prefix: string): typeof samples {
  return {
    [`post ${prefix}/runs`]: async () => ({
      path: `${prefix}/runs`,
      json: { instruction: 'Fix the port', targetService: 'web' },
    }),
    [`get ${prefix}/runs`]: async () => ({ path: `${prefix}/runs?status=succeeded&limit=5` }),
    [`get ${prefix}/runs/{runId}`]: async () => ({ path: `${prefix}/runs/${finishedRun}` }),
    [`get ${prefix}/runs/{runId}/artifacts`]: async () => ({
      path: `${prefix}/runs/${finishedRun}/artifacts`,
    }),
    [`get ${prefix}/runs/{runId}/artifacts/{artifactId}/download`]: async () => ({
      path: `${prefix}/runs/${finishedRun}/artifacts/${runArtifactId}/download`,
    }),
    [`get ${prefix}/runs/{runId}/events`]: async () => ({ path: `${prefix}/runs/${finishedRun}/events` }),
    [`get ${prefix}/runs/{runId}/events/stream`]: async () => ({
      path: `${prefix}/runs/${finishedRun}/events/stream`,
    }),
    [`post ${prefix}/runs/{runId}/approvals`]: async () => {
      const of = await seedRun(t.db.sql, { status: 'failed', service: 'payments' });
      const retry = await t.call(`/api/orchestrator/runs/${of}/retry`, {
        method: 'POST',
        as: 'admin',
        json: { approvalToken },
      });
      return {
        path: `${prefix}/runs/${(await retry.json()).runId}/approvals`,
        json: { token: approvalToken },
      };
    },
    [`post ${prefix}/runs/{runId}/cancel`]: async () => ({
      path: `${prefix}/runs/${await newRun()}/cancel`,
      json: {},
    }),
    [`post ${prefix}/runs/{runId}/retry`]: async () => ({
      path: `${prefix}/runs/${await seedRun(t.db.sql, { status: 'failed' })}/retry`,
    }),
    [`get ${prefix}/services`]: async () => ({ path: `${prefix}/services` }),
  };
}

const userIdOf = async (name: string) =>
  ((await t.db.sql`SELECT id FROM users WHERE name = ${name}`)[0] as { id: string }).id;

const allowed: Record<RouteDef['access'], Who[]> = {
  public: ['none', 'viewer', 'operator', 'admin', 'workerIn', 'workerOut'],
  viewer: ['viewer', 'operator', 'admin'],
  operator: ['operator', 'admin'],
  admin: ['admin'],
  worker: ['workerIn'],
  // workerIn holds proposals_write for acme/*; workerOut holds it too, for other/* only.
  proposer: ['operator', 'admin', 'workerIn'],
};
const everyone: Who[] = ['none', 'viewer', 'operator', 'admin', 'workerIn', 'workerOut'];

describe('route × identity matrix', () => {
  test('every route has a sample request', () => {
    const missing = routes.map((r) => `${r.method} ${r.path}`).filter((k) => !samples[k]);
    expect(missing).toEqual([]);
  });

  for (const route of routes) {
    test(`${route.method.toUpperCase()} ${route.path}`, async () => {
      const outcomes: Record<string, number> = {};
      for (const who of everyone) {
        const sample = await samples[`${route.method} ${route.path}`]();
        const controller = new AbortController();
        const res = await t.call(sample.path, {
          method: route.method.toUpperCase(),
          as: who,
          json: sample.json,
          body: sample.body,
          headers: sample.headers,
          signal: controller.signal,
          redirect: 'manual',
        });
        outcomes[who] = res.status;
        if (route.path.endsWith('/stream')) controller.abort();
        else if (res.status >= 400 && route.path !== '/readyz') {
          const text = await res.text();
          const body = JSON.parse(text);
          expect(body.error).toMatchObject({
            code: expect.any(String),
            message: expect.any(String),
            requestId: res.headers.get('x-request-id'),
          });
          // Errors never carry job data or credentials.
          for (const secret of [instructions, 'acme/widgets', ...Object.values(t.tokens)])
            expect(text).not.toContain(secret);
        } else await res.arrayBuffer();
      }
      const expected = Object.fromEntries(
        everyone.map((who) => {
          if (allowed[route.access].includes(who))
            return [who, route.path === '/readyz' ? outcomes[who] : 'ok'];
          return [who, who === 'none' ? 401 : 403];
        }),
      );
      const passed = (status: number) =>
        status < 400 ||
        (route.path.endsWith('/socket') && status === 426) ||
        (conflictsAreOk.has(route.path) && status === 409);
      const actual = Object.fromEntries(
        everyone.map((who) => [who, passed(outcomes[who]) && expected[who] === 'ok' ? 'ok' : outcomes[who]]),
      );
      expect(actual).toEqual(expected);
    });
  }
});

describe('invalid submissions', () => {
  const submit = async (json: unknown) => {
    const res = await t.call('/api/queue/jobs', { method: 'POST', as: 'operator', json });
    const text = await res.text();
    return { status: res.status, text, body: JSON.parse(text) };
  };
  const paths = (body: { error: { issues: { path: string }[] } }) => body.error.issues.map((i) => i.path);
  const task = (extra: Record<string, unknown>) => ({
    type: 'task',
    payload: { repository: 'acme/widgets', task: { instructions: 'Do it', ...extra } },
  });

  test('missing instructions', async () => {
    const r = await submit({ type: 'task', payload: { repository: 'acme/widgets', task: {} } });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    expect(paths(r.body)).toContain('payload.task.instructions');
  });

  test('instructions over 100,000 characters say so (not "is required")', async () => {
    const r = await submit(task({ instructions: 'x'.repeat(100_001) }));
    expect(r.status).toBe(400);
    expect(r.body.error.issues).toEqual([
      { path: 'payload.task.instructions', message: 'must be at most 100,000 characters' },
    ]);
  });

  test('bad repository form', async () => {
    const r = await submit({
      type: 'task',
      payload: { repository: 'not a repo', task: { instructions: 'x' } },
    });
    expect(r.status).toBe(400);
    expect(paths(r.body)).toEqual(['payload.repository']);
  });

  test('repository URL with credentials is rejected without echoing them', async () => {
    const password = 'hunter2secret';
    const r = await submit({
      type: 'task',
      payload: {
        repository: `https://bob:${password}@github.com/acme/widgets`,
        task: { instructions: 'x' },
      },
    });
    expect(r.status).toBe(400);
    expect(paths(r.body)).toEqual(['payload.repository']);
    expect(r.text).not.toContain(password);
  });

  test('raw token in auth is rejected naming the field, never echoing it', async () => {
    const token = `ghp_${'a1B2c3D4'.repeat(5)}`;
    const r = await submit({
      type: 'task',
      payload: { repository: 'acme/widgets', auth: { repoAuthRef: token }, task: { instructions: 'x' } },
    });
    expect(r.status).toBe(400);
    expect(paths(r.body)).toEqual(['payload.auth.repoAuthRef']);
    expect(r.text).not.toContain(token);
  });

  test('unknown publish mode', async () => {
    const r = await submit(task({ publish: { mode: 'email' } }));
    expect(r.status).toBe(400);
    expect(paths(r.body)).toEqual(['payload.task.publish.mode']);
  });

  test('step with runtime', async () => {
    const r = await submit(
      task({ steps: [{ instructions: 'a' }, { instructions: 'b', runtime: { mode: 'codex' } }] }),
    );
    expect(r.status).toBe(400);
    expect(paths(r.body)).toEqual(['payload.task.steps.1.runtime']);
  });

  test('non-object skill args', async () => {
    const r = await submit(task({ skill: { id: 'write-tests', args: 'all of them' } }));
    expect(r.status).toBe(400);
    expect(paths(r.body)).toEqual(['payload.task.skill.args']);
  });

  test('every failing field is reported at once', async () => {
    const r = await submit({
      type: 'task',
      payload: { repository: 'acme/widgets', task: { publish: { mode: 'email' }, skill: { args: [] } } },
    });
    expect(r.status).toBe(400);
    expect(paths(r.body).sort()).toEqual([
      'payload.task.instructions',
      'payload.task.publish.mode',
      'payload.task.skill.args',
    ]);
  });

  test('a raw credential in any user field is refused naming the field', async () => {
    const token = `sk-proj-${'Ab1'.repeat(10)}`;
    const res = await t.call(`/api/queue/jobs/${jobId}/operator-messages`, {
      method: 'POST',
      as: 'operator',
      json: { message: `use ${token} for the API` },
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(JSON.parse(text).error.issues.map((i: { path: string }) => i.path)).toEqual(['message']);
    expect(text).not.toContain(token);
  });

  test('invalid JSON and non-JSON bodies', async () => {
    const bad = await t.call('/api/queue/jobs', {
      method: 'POST',
      as: 'operator',
      headers: { 'content-type': 'application/json' },
      body: '{"type":',
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('validation_failed');
    const text = await t.call('/api/queue/jobs', {
      method: 'POST',
      as: 'operator',
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
    });
    expect(text.status).toBe(415);
    // Whitespace alone is no JSON (only an empty body stands for `{}`).
    const blank = await t.call(`/api/queue/jobs/${randomUUID()}/cancel`, {
      method: 'POST',
      as: 'operator',
      headers: { 'content-type': 'application/json' },
      body: '\r',
    });
    expect(blank.status).toBe(400);
  });

  test('a JSON body over 1 MB is refused', async () => {
    const huge = task({ instructions: 'x'.repeat(1_100_000) });
    const res = await t.call('/api/queue/jobs', { method: 'POST', as: 'operator', json: huge });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('payload_too_large');
  });

  test('a valid submission with a named skill derives its capabilities', async () => {
    const res = await t.call('/api/queue/jobs', {
      method: 'POST',
      as: 'operator',
      json: {
        type: 'task',
        payload: { repository: 'acme/widgets', task: { instructions: 'x', skill: { id: 'write-tests' } } },
      },
    });
    expect(res.status).toBe(201);
    expect((await res.json()).payload.requiredCapabilities).toEqual(['codex', 'gh', 'git']);
  });
});

describe('the OpenAPI document', () => {
  test('is a valid OpenAPI 3.1 document listing every route with its auth', async () => {
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const res = await t.call('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = await res.json();
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
    for (const r of routes) {
      const op = doc.paths[r.path]?.[r.method];
      expect(op, `${r.method} ${r.path}`).toBeDefined();
      if (r.access === 'public') expect(op.security).toEqual([]);
      else {
        expect(op.security.length).toBeGreaterThan(0);
        expect(op.responses['403']).toBeDefined();
      }
      // Every status the route can answer: a bad bearer (any route), oversized headers, an outage...
      const statuses = Object.keys(op.responses);
      expect(statuses, `${r.method} ${r.path}`).toEqual(expect.arrayContaining(['401', '431', '503']));
      // ...and those that follow from what the route takes and does.
      if (r.params) expect(statuses).toContain('404');
      if (r.body || r.rawBody) expect(statuses).toContain('413');
      if (r.rateLimited) expect(statuses).toContain('429');
      if (r.conflict) expect(statuses).toContain('409');
    }
    expect(Object.keys(doc.paths['/api/queue/jobs/{jobId}/cancel'].post.responses)).toContain('409');
    expect(Object.keys(doc.paths['/api/admin/users'].post.responses)).toContain('409');
    const submission = doc.paths['/api/queue/jobs'].post.requestBody.content['application/json'].schema;
    expect(submission.required).toEqual(expect.arrayContaining(['type', 'payload']));
    expect(submission.properties.payload.required).toContain('task');
    expect(submission.properties.payload.properties.task.required).toContain('instructions');
    // Spec 08's routes, under both prefixes, with their bodies and the run view.
    for (const prefix of ['/api/orchestrator', '/orchestrator']) {
      const run = doc.paths[`${prefix}/runs`].post;
      expect(run.requestBody.content['application/json'].schema.required).toEqual(
        expect.arrayContaining(['instruction', 'targetService']),
      );
      expect(Object.keys(doc.paths[`${prefix}/runs/{runId}/approvals`].post.responses)).toEqual(
        expect.arrayContaining(['200', '202', '403', '409']),
      );
    }
    expect(doc.components.schemas.OrchestratorRun.required).toEqual(
      expect.arrayContaining(['runId', 'status', 'plan', 'steps', 'artifacts']),
    );
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['bearer', 'session', 'workerBearer']);
  });
});
