import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentSandbox } from '../../activities/runtimes/sandbox.ts';
import { loadWorkerConfig } from '../../contracts/config.ts';
import type { TaskRunResult } from '../../contracts/job.ts';
import { verifyCapabilities } from '../../workers/capabilities.ts';
import { type CapabilityWorker, startCapabilityWorker } from '../../workers/main.ts';
import { controlSignal } from '../../workflows/messages.ts';
import { type FakeGitHub, startFakeGitHub } from '../fakes/fake-github.ts';
import { runResult } from '../support/temporal.ts';
import { registerPool, startRun, startWorkflowEnv, unique, waitForState } from '../workflows/harness.ts';
import { FAKE_AGENT, makeBareRepo, sh } from './task-fixture.ts';
import { startWorkerApiReceiver, type WorkerApiReceiver } from './worker-api-receiver.ts';

let env: Awaited<ReturnType<typeof startWorkflowEnv>>;
let api: WorkerApiReceiver;
let github: FakeGitHub;
let dir: string;
let bare: string;
let worker: CapabilityWorker;
const pool = unique('cap');

function workerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    MOONMIND_API_URL: api.url,
    MOONMIND_WORKER_TOKEN: 'worker-token-for-tests-0001',
    MOONMIND_WORKER_POOL: pool,
    MOONMIND_WORKER_CAPABILITIES: 'codex,git,gh',
    MOONMIND_WORKER_CONCURRENCY: '1',
    MOONMIND_WORKSPACE_DIR: join(dir, 'workspaces'),
    MOONMIND_GIT_BASE_URL: `file://${join(dir, 'remotes')}`,
    MOONMIND_GITHUB_API_URL: github.url,
    MOONMIND_CODEX_COMMAND: FAKE_AGENT,
    FAKE_AGENT_PIDS: join(dir, 'agent-out', 'pids'),
    MOONMIND_AGENT_ENV: 'FAKE_AGENT_PIDS',
    ...extra,
  };
}

beforeAll(async () => {
  env = await startWorkflowEnv();
  api = await startWorkerApiReceiver();
  github = await startFakeGitHub();
  dir = await mkdtemp(join(tmpdir(), 'mm-capworker-'));
  // The agent user passes through to its workspace and writes its pids file into agent-out.
  await chmod(dir, 0o711);
  await mkdir(join(dir, 'agent-out'));
  await chmod(join(dir, 'agent-out'), 0o777);
  bare = await makeBareRepo(join(dir, 'remotes'), 'acme/gadgets');
  worker = await startCapabilityWorker({
    env: workerEnv(),
    connection: env.native,
    namespace: env.namespace,
    leaseMs: 1_500, // idle leases are re-checked against the run's state quickly
    logger: pino({ level: 'warn' }),
  });
  await registerPool(env.sql, { pool, capabilities: worker.capabilities });
});
afterAll(async () => {
  await worker?.shutdown();
  await env?.stop();
  await api?.close();
  await github?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const firstEventAt = (jobId: string, type: string) =>
  Date.parse(String(api.events(jobId).find((e) => e.type === type)?.createdAt ?? 'NaN'));

describe('capability worker process', () => {
  it('registers what it verified, with its pool and host queues', () => {
    expect(worker.poolQueue).toBe(`moonmind-pool-${pool}`);
    expect(worker.hostQueue).toBe(`moonmind-host-${worker.hostId}`);
    expect(worker.hostId).toMatch(new RegExp(`^${pool}-[0-9a-f]{6}$`));
    expect(api.registrations).toContainEqual({
      taskQueue: worker.poolQueue,
      pool,
      hostId: worker.hostId,
      hostQueue: worker.hostQueue,
      capabilities: ['codex', 'gh', 'git'],
      jobTypes: ['task'],
      repositories: ['*'],
    });
  });

  it('runs a taskRun to a pull request', async () => {
    const { handle, jobId } = await startRun(env.client, {
      payload: {
        repository: 'acme/gadgets',
        task: { instructions: 'Add a gadget', steps: [{ title: 'Gadget' }, {}] },
      },
    });
    const result = (await handle.result()) as TaskRunResult;
    expect(result).toMatchObject({ status: 'succeeded', prUrl: expect.stringContaining('/pull/') });
    expect(sh(bare, 'show', `${result.branch}:AGENT_NOTES.md`)).toBe(
      '- STEP 1/2 step-1 Gadget\n- STEP 2/2 step-2',
    );
    const types = api.events(jobId).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['moonmind.task.prepare.finished', 'task.step.finished', 'task.publish.pr']),
    );
    expect(api.artifacts.has(`${jobId}/logs/execute.log`)).toBe(true);
  });

  it('with one run slot, a freed slot goes to the highest-priority waiting run', async () => {
    const task = (instructions: string) => ({
      repository: 'acme/gadgets',
      task: { instructions, publish: { mode: 'none' } },
    });
    const a = await startRun(env.client, { payload: task('Hold the slot. FAKE_SLEEP=6') });
    await expect
      .poll(() => api.events(a.jobId).some((e) => e.type === 'task.step.started'), { timeout: 30_000 })
      .toBe(true);
    const low = await startRun(env.client, { payload: task('Low priority'), priority: -5 });
    const high = await startRun(env.client, { payload: task('High priority'), priority: 5 });
    // Both wait on the pool queue (prepare scheduled) while A still holds the slot.
    for (const r of [low, high]) {
      await waitForState(
        r.handle,
        'waiting for a slot',
        (s) => s.status === 'queued' && s.stage === 'moonmind.task.prepare',
      );
    }
    expect(api.events(a.jobId).some((e) => e.type === 'moonmind.task.execute.finished')).toBe(false);
    const results = await Promise.all([a, low, high].map((r) => r.handle.result() as Promise<TaskRunResult>));
    expect(results.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const aDone = firstEventAt(a.jobId, 'moonmind.task.execute.finished');
    const highStart = firstEventAt(high.jobId, 'moonmind.task.prepare.started');
    const lowStart = firstEventAt(low.jobId, 'moonmind.task.prepare.started');
    expect(highStart).toBeGreaterThanOrEqual(aDone); // nobody was prepared while the slot was taken
    expect(lowStart).toBeGreaterThan(highStart);
  });
});

describe('controls through the real workflow', () => {
  const procState = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0];
    } catch {
      return null;
    }
  };
  const gone = (pid: number) => [null, 'Z'].includes(procState(pid));
  const control = (action: string, mode?: string) => ({
    requestId: unique('req'),
    actor: 'tester',
    action: action as 'pause',
    ...(mode ? { mode: mode as 'hard' } : {}),
  });
  // A failed check must not leave its run holding the worker's slot (a hard-paused agent would hold it for
  // good): whatever a test started and did not finish is cancelled before the next test.
  const started: Awaited<ReturnType<typeof startRun>>[] = [];
  const start = async (...args: Parameters<typeof startRun>) => {
    const run = await startRun(...args);
    started.push(run);
    return run;
  };
  afterEach(async () => {
    for (const { handle } of started.splice(0)) {
      const open = await handle.describe().then((d) => d.status.name === 'RUNNING');
      if (!open) continue;
      await handle.signal(controlSignal, { ...control('cancel'), reason: 'test cleanup' });
      await Promise.race([handle.result().catch(() => {}), new Promise((r) => setTimeout(r, 20_000))]);
    }
  });
  async function startLongRun(seconds: number) {
    const pids = join(dir, 'agent-out', 'pids');
    await rm(pids, { force: true });
    const run = await start(env.client, {
      payload: {
        repository: 'acme/gadgets',
        task: { instructions: `Long work FAKE_SPAWN_CHILD FAKE_SLEEP=${seconds}`, publish: { mode: 'none' } },
      },
    });
    await expect
      .poll(() => existsSync(pids) && readFileSync(pids, 'utf8').trim().split('\n').length === 2, {
        timeout: 30_000,
      })
      .toBe(true);
    const [agent, grandchild] = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    return { ...run, agent, grandchild };
  }

  it('a hard pause stops the agent through the state query; resume continues it', async () => {
    const run = await startLongRun(5);
    await run.handle.signal(controlSignal, control('pause', 'hard'));
    // The group is stopped at once, but a loaded machine shows each process's state when it is next scheduled.
    await expect.poll(() => procState(run.agent), { timeout: 10_000 }).toBe('T');
    await expect.poll(() => procState(run.grandchild), { timeout: 10_000 }).toBe('T');
    await run.handle.signal(controlSignal, control('resume'));
    await expect.poll(() => procState(run.agent) !== 'T', { timeout: 10_000 }).toBe(true);
    expect(((await run.handle.result()) as TaskRunResult).status).toBe('succeeded');
    expect(api.events(run.jobId).map((e) => e.type)).toEqual(
      expect.arrayContaining(['runtime.suspended', 'runtime.resumed']),
    );
  });

  it('a soft-paused run keeps its run slot past the lease time; the next run waits for it', async () => {
    const paused = await start(env.client, {
      payload: {
        repository: 'acme/gadgets',
        task: {
          instructions: 'Two steps',
          steps: [{ instructions: 'FAKE_SLEEP=1' }, {}],
          publish: { mode: 'none' },
        },
      },
    });
    await expect
      .poll(() => api.events(paused.jobId).some((e) => e.type === 'task.step.started'), { timeout: 30_000 })
      .toBe(true);
    await paused.handle.signal(controlSignal, control('pause'));
    await expect
      .poll(() => api.events(paused.jobId).filter((e) => e.type === 'task.step.finished').length, {
        timeout: 30_000,
      })
      .toBe(1);
    const waiting = await start(env.client, {
      payload: {
        repository: 'acme/gadgets',
        task: { instructions: 'Wait my turn', publish: { mode: 'none' } },
      },
    });
    await new Promise((r) => setTimeout(r, 4_000)); // well past the 1.5 s lease
    expect(api.events(waiting.jobId)).toEqual([]);
    await paused.handle.signal(controlSignal, control('resume'));
    const results = (await Promise.all([paused.handle.result(), waiting.handle.result()])) as TaskRunResult[];
    expect(results.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('cancel stops the agent and everything it spawned, and the run ends cancelled', async () => {
    const run = await startLongRun(120);
    await run.handle.signal(controlSignal, { ...control('cancel'), reason: 'test' });
    expect((await runResult(run.handle)).status).toBe('cancelled');
    await expect.poll(() => gone(run.agent) && gone(run.grandchild), { timeout: 10_000 }).toBe(true);
    await expect
      .poll(() => api.events(run.jobId).some((e) => e.type === 'task.step.failed'), {
        timeout: 10_000,
      })
      .toBe(true);
  });
});

describe('verifyCapabilities', () => {
  it('backs a runtime by its command, git by git --version, and refuses what it cannot back', async () => {
    const config = loadWorkerConfig({
      MOONMIND_WORKER_CAPABILITIES: 'codex,claude,git,gh,no-such-tool',
      MOONMIND_CODEX_COMMAND: `node ${FAKE_AGENT}`,
      MOONMIND_CLAUDE_COMMAND: '/nonexistent/claude',
    });
    const check = await verifyCapabilities(config, { PATH: process.env.PATH });
    expect(check.verified).toEqual(['codex', 'git']);
    expect(check.rejected.map((r) => r.capability).sort()).toEqual(['claude', 'gh', 'no-such-tool']);
    expect(check.rejected.find((r) => r.capability === 'gh')?.reason).toMatch(/forge token/);
    const withToken = await verifyCapabilities(config, { PATH: process.env.PATH, GITHUB_TOKEN: 'x' });
    expect(withToken.verified).toContain('gh');
  });

  it('advertises the scripted demo runtime only with MOONMIND_DEMO=on', async () => {
    const env = { PATH: process.env.PATH };
    const off = await verifyCapabilities(loadWorkerConfig({ MOONMIND_WORKER_CAPABILITIES: 'demo,git' }), env);
    expect(off.verified).toEqual(['git']);
    expect(off.rejected[0].reason).toMatch(/MOONMIND_DEMO=on/);
    const on = await verifyCapabilities(
      loadWorkerConfig({ MOONMIND_WORKER_CAPABILITIES: 'demo,git', MOONMIND_DEMO: 'on' }),
      env,
    );
    expect(on.verified).toEqual(['demo', 'git']);
  });

  it.runIf(process.getuid?.() === 0)(
    'as root, backs a runtime only when the agent user can run its CLI',
    async () => {
      const sandbox = await AgentSandbox.open({
        user: 'moonmind-agent',
        workspaceDir: join(dir, 'workspaces'),
        log: () => {},
      });
      const hidden = join(dir, 'root-only'); // like a CLI installed under /root
      await mkdir(hidden, { mode: 0o700 });
      await copyFile(FAKE_AGENT, join(hidden, 'codex.mjs'));
      const config = (codex: string) =>
        loadWorkerConfig({ MOONMIND_WORKER_CAPABILITIES: 'codex', MOONMIND_CODEX_COMMAND: codex });
      const env = { PATH: process.env.PATH };
      const reachable = await verifyCapabilities(config(`node ${FAKE_AGENT}`), env, sandbox.user);
      expect(reachable.verified).toEqual(['codex']);
      const unreachable = await verifyCapabilities(
        config(`node ${join(hidden, 'codex.mjs')}`),
        env,
        sandbox.user,
      );
      expect(unreachable.verified).toEqual([]);
      expect(unreachable.rejected[0].reason).toMatch(/--version failed as the agent user/);
      // The worker itself could run it: only the agent user's view tells.
      expect((await verifyCapabilities(config(`node ${join(hidden, 'codex.mjs')}`), env)).verified).toEqual([
        'codex',
      ]);
    },
  );
});
