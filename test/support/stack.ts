import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { inject } from 'vitest';
import { createWorkerToken } from '../../api/auth/bootstrap.ts';
import { freePort, waitFor } from '../../scripts/ports.ts';
import { type Service, spawnService } from '../../scripts/services.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { fakeAgentPath } from './fake-agent-path.ts';
import { testNamespace } from './namespaces.ts';
import { terminateOpenRuns, testTemporal } from './temporal.ts';

export const fakeAgent = fakeAgentPath();

export interface WorkerSpec {
  pool: string;
  capabilities?: string[];
  repositories?: string[];
  jobTypes?: string[];
  concurrency?: number;
  env?: Record<string, string>;
}

export interface Stack {
  apiUrl: string;
  adminToken: string;
  db: TestDatabase;
  client: Client;
  namespace: string;
  dataDir: string;
  /** A directory the agent user may write to (the fake agent's FAKE_AGENT_PIDS / FAKE_AGENT_PROMPT_LOG files). */
  agentOut: string;
  logs: string[];
  /** Authenticated JSON request as the admin (or with `token`). */
  api(pathname: string, init?: RequestInit & { token?: string; json?: unknown }): Promise<Response>;
  startWorker(spec: WorkerSpec): Promise<Service>;
  workers: Service[];
  /** The API process's pid while it runs (benchmarks read its CPU time). */
  apiPid(): number | undefined;
  restartApi(): Promise<void>;
  stopApi(): Promise<void>;
  startApi(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The real system for one test file: the API (with its control worker) and capability workers as child
 * processes, on the shared Temporal dev server (this file's namespace) and a fresh database. Workers run
 * the fake agent for every runtime unless a spec overrides the command.
 */
export interface StackOptions {
  workers?: WorkerSpec[];
  apiEnv?: Record<string, string>;
  /** Where the shared services are; defaults to what the vitest global setup provides. */
  services?: { temporalAddress: string; temporalUiUrl: string; adminDatabaseUrl: string; namespace: string };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const services = options.services ?? {
    temporalAddress: inject('temporalAddress'),
    temporalUiUrl: inject('temporalUiUrl'),
    adminDatabaseUrl: inject('adminDatabaseUrl'),
    namespace: testNamespace(),
  };
  const db = await createTestDatabase(services.adminDatabaseUrl);
  const { client, connection, namespace, address } = await testTemporal(
    services.temporalAddress,
    services.namespace,
  );
  await terminateOpenRuns(client);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mm-stack-'));
  // As the launcher leaves it: agents pass through to their workspaces inside, and list nothing.
  await chmod(dataDir, 0o711);
  const agentOut = path.join(dataDir, 'agent-out');
  await mkdir(agentOut);
  await chmod(agentOut, 0o777);
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}`;
  const adminToken = `operator-chosen-${randomBytes(16).toString('hex')}`;
  const logs: string[] = [];
  const output = (line: string) => {
    logs.push(line);
    if (process.env.MOONMIND_TEST_VERBOSE) console.log(line);
  };
  const shared = {
    TEMPORAL_ADDRESS: address,
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_UI_URL: services.temporalUiUrl || 'http://localhost:8233',
    DATABASE_URL: db.url,
    MOONMIND_DATA_DIR: dataDir,
    MOONMIND_LOG_LEVEL: 'warn',
  };
  let api: Service | undefined;
  const startApi = async () => {
    api = spawnService(
      'api',
      'api/main.ts',
      { ...shared, PORT: String(port), MOONMIND_ADMIN_TOKEN: adminToken, ...options.apiEnv },
      output,
    );
    await waitFor('API /healthz', async () => (await fetch(`${apiUrl}/healthz`)).ok, 90_000, 300);
  };
  const stopApi = async () => {
    await api?.stop();
    api = undefined;
  };
  await startApi();

  const workers: Service[] = [];
  const stack: Stack = {
    apiUrl,
    adminToken,
    db,
    client,
    namespace,
    dataDir,
    agentOut,
    logs,
    workers,
    apiPid: () => api?.process.pid,
    api(pathname, init = {}) {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${init.token ?? adminToken}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(init.json);
      }
      return fetch(`${apiUrl}${pathname}`, { ...init, headers, body });
    },
    async startWorker(spec) {
      const token = await createWorkerToken(db.sql, {
        name: `test-${spec.pool}`,
        jobTypes: spec.jobTypes ?? ['task'],
        repositories: spec.repositories ?? ['*'],
        capabilities: ['*'],
        // Workers submit what their agents propose (spec 05).
        scopes: ['proposals_write'],
      });
      const worker = spawnService(
        `worker:${spec.pool}`,
        'workers/main.ts',
        {
          ...shared,
          MOONMIND_API_URL: apiUrl,
          MOONMIND_WORKER_TOKEN: token,
          MOONMIND_WORKER_POOL: spec.pool,
          MOONMIND_WORKER_CAPABILITIES: (spec.capabilities ?? ['codex', 'git']).join(','),
          MOONMIND_WORKER_REPOSITORIES: (spec.repositories ?? ['*']).join(','),
          MOONMIND_WORKER_JOB_TYPES: (spec.jobTypes ?? ['task']).join(','),
          MOONMIND_WORKER_CONCURRENCY: String(spec.concurrency ?? 2),
          MOONMIND_WORKSPACE_DIR: path.join(dataDir, 'workspaces', spec.pool, randomBytes(3).toString('hex')),
          MOONMIND_CODEX_COMMAND: fakeAgent,
          MOONMIND_GEMINI_COMMAND: fakeAgent,
          MOONMIND_CLAUDE_COMMAND: fakeAgent,
          MOONMIND_AGENT_ENV: 'FAKE_AGENT_PIDS,FAKE_AGENT_PROMPT_LOG',
          // Headless unless a test is about live sessions (it sets `on-demand` or `always`): a PTY and its
          // screen cost CPU the rest of the suite's timings were not measured with.
          MOONMIND_LIVE_SESSIONS: 'off',
          ...spec.env,
        },
        output,
      );
      workers.push(worker);
      return worker;
    },
    async restartApi() {
      await stopApi();
      await startApi();
    },
    stopApi,
    startApi,
    async stop() {
      await Promise.all(workers.map((w) => w.stop()));
      await terminateOpenRuns(client).catch(() => {});
      await stopApi();
      await connection.close();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  for (const spec of options.workers ?? []) await stack.startWorker(spec);
  return stack;
}
