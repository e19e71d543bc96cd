import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { ensureAdmin } from '../../api/auth/bootstrap.ts';
import { insertUserToken, insertWorkerToken } from '../../api/auth/tokens.ts';
import { type RunningApi, startApi } from '../../api/main.ts';
import { insertProposal } from '../../api/proposals/store.ts';
import { loadConfig } from '../../contracts/config.ts';
import { proposalDedupKey } from '../../contracts/proposals.ts';
import { taskRunStartOptions } from '../../contracts/start-options.ts';
import { normalizeJob } from '../../contracts/task.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { terminateOpenRuns, testTemporal } from '../support/temporal.ts';

const skillsDir = fileURLToPath(new URL('../../skills/', import.meta.url));

export type Who = 'none' | 'viewer' | 'operator' | 'admin' | 'workerIn' | 'workerOut';

export interface TestApi {
  api: RunningApi;
  url: string;
  db: TestDatabase;
  client: Awaited<ReturnType<typeof testTemporal>>['client'];
  tokens: Record<Exclude<Who, 'none'>, string>;
  /** fetch as an identity; `json` sets the body and content type. */
  call(pathname: string, init?: RequestInit & { as?: Who; json?: unknown }): Promise<Response>;
  /** Stop the API and start a new process-equivalent on the same database and namespace (a new port). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The API in-process (with its control worker) on this file's Temporal namespace and a fresh database, plus
 * one token per identity: viewer, operator, admin, a worker scoped to `acme/*` and one scoped to `other/*`
 * (both may propose follow-up work, `proposals_write`, in their repositories).
 * No capability worker runs, so submitted jobs stay queued.
 */
export async function startTestApi(
  env: Record<string, string> = {},
  opts: { sseHeartbeatMs?: number; webDir?: string; logger?: Logger } = {},
): Promise<TestApi> {
  const db = await createTestDatabase();
  const temporal = await testTemporal();
  await terminateOpenRuns(temporal.client);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mm-api-'));
  const config = loadConfig({
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    TEMPORAL_UI_URL: 'http://temporal-ui.test',
    DATABASE_URL: db.url,
    MOONMIND_DATA_DIR: dataDir,
    MOONMIND_LOG_LEVEL: 'silent',
    MOONMIND_SKILLS_DIR: skillsDir,
    ...env,
  });
  const start = () =>
    startApi({
      config,
      port: 0,
      webDir: opts.webDir ?? null,
      sseHeartbeatMs: opts.sseHeartbeatMs,
      logger: opts.logger,
    });
  let api = await start();
  const adminToken = `mm_u_${randomBytes(24).toString('base64url')}`;
  await ensureAdmin(db.sql, { token: adminToken });
  const user = async (role: string) => {
    const id = crypto.randomUUID();
    await db.sql`INSERT INTO users (id, name, role) VALUES (${id}, ${`${role}-user`}, ${role})`;
    return (await insertUserToken(db.sql, { userId: id, name: 'test' })).token;
  };
  const worker = async (repositories: string[]) =>
    (
      await insertWorkerToken(db.sql, {
        name: `worker-${repositories[0]}`,
        scope: {
          jobTypes: ['task'],
          repositories,
          capabilities: ['codex', 'git', 'gh'],
          scopes: ['proposals_write'],
        },
      })
    ).token;
  const tokens = {
    viewer: await user('viewer'),
    operator: await user('operator'),
    admin: adminToken,
    workerIn: await worker(['acme/*']),
    workerOut: await worker(['other/*']),
  };
  return {
    get api() {
      return api;
    },
    get url() {
      return api.url;
    },
    db,
    client: temporal.client,
    tokens,
    call(pathname, init = {}) {
      const headers = new Headers(init.headers);
      if (init.as && init.as !== 'none') headers.set('authorization', `Bearer ${tokens[init.as]}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(init.json);
      }
      return fetch(`${api.url}${pathname}`, { ...init, headers, body });
    },
    async restart() {
      await api.close();
      api = await start();
    },
    async close() {
      await terminateOpenRuns(temporal.client).catch(() => {});
      await api.close();
      await temporal.connection.close();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A minimal valid submission for `repository`. */
export const envelope = (repository = 'acme/widgets', extra: Record<string, unknown> = {}) => ({
  type: 'task',
  payload: {
    repository,
    task: { instructions: 'Add a test for the parser', publish: { mode: 'branch' } },
    ...extra,
  },
});

/** Poll until `fn` returns a truthy value, and return it. */
export async function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A job run started straight on Temporal (not through the API: its rate limit and validation are not what
 * these tests look at); with no capability worker it stays queued. Returns the job id.
 */
export async function startQueuedRun(t: Pick<TestApi, 'client'>, repository: string): Promise<string> {
  const result = normalizeJob(envelope(repository), { defaultRuntime: 'codex' });
  if (!result.ok) throw new Error('bad envelope');
  const jobId = crypto.randomUUID();
  const submittedBy = { id: crypto.randomUUID(), name: 'tester' };
  await t.client.workflow.start(
    'taskRun',
    taskRunStartOptions({ jobId, job: result.job, submittedBy, submittedAt: new Date().toISOString() }),
  );
  return jobId;
}

/** An open proposal stored straight in the database (no rate limit), for tests that act on one. */
export async function seedProposal(
  t: Pick<TestApi, 'db'>,
  extra: { title?: string; repository?: string; summary?: string } = {},
): Promise<string> {
  const repository = extra.repository ?? 'acme/widgets';
  const title = extra.title ?? `Proposal ${crypto.randomUUID()}`;
  const { row } = await insertProposal(
    t.db.sql,
    {
      title,
      summary: extra.summary ?? 'Follow-up work',
      category: 'tests',
      tags: ['parser'],
      origin: { source: 'manual', id: null, metadata: {} },
      taskCreateRequest: envelope(repository),
      priority: 0,
      repository,
      dedupKey: proposalDedupKey(repository, title),
      proposedByWorkerId: null,
      proposedByUserId: null,
    },
    'seed',
  );
  return row.id;
}
