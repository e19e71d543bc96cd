import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { WorkerApiClient } from '../../activities/reporting/api-client.ts';
import { AgentSandbox } from '../../activities/runtimes/sandbox.ts';
import { createTaskActivities, RunSlots, type TaskActivityDeps } from '../../activities/task/index.ts';
import type { PrepareInput, PrepareResult, StepInput } from '../../contracts/activities.ts';
import { loadWorkerConfig } from '../../contracts/config.ts';
import { normalizeJob, planSteps, type TaskPayload } from '../../contracts/task.ts';
import { type FakeGitHub, startFakeGitHub } from '../fakes/fake-github.ts';
import { fakeAgentPath } from '../support/fake-agent-path.ts';
import { startWorkerApiReceiver, type WorkerApiReceiver } from './worker-api-receiver.ts';

export const FAKE_AGENT = fakeAgentPath();
export const GH_TOKEN = `ghp_${'Zx9Yw8Vu7T'.repeat(4)}`;

/** Git as the worker runs it: the checkout belongs to the agent user, so it is trusted explicitly. */
export const sh = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'safe.directory=*', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();

/** A bare repo at `<base>/<owner>/<repo>.git` with one commit on `main` (and optional extra branches). */
export async function makeBareRepo(
  base: string,
  ownerRepo: string,
  branches: string[] = [],
): Promise<string> {
  const bare = join(base, `${ownerRepo}.git`);
  await mkdir(bare, { recursive: true });
  sh(bare, 'init', '--bare', '--initial-branch=main');
  const seed = await mkdtemp(join(tmpdir(), 'mm-seed-'));
  sh(seed, 'init', '--initial-branch=main');
  await writeFile(join(seed, 'README.md'), '# widgets\n');
  sh(seed, 'add', '.');
  sh(seed, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-m', 'initial');
  sh(seed, 'push', bare, 'main');
  for (const b of branches) sh(seed, 'push', bare, `main:refs/heads/${b}`);
  await rm(seed, { recursive: true, force: true });
  return bare;
}

export interface Fixture {
  dir: string;
  gitBase: string;
  api: WorkerApiReceiver;
  github: FakeGitHub;
  deps: TaskActivityDeps;
  activities: ReturnType<typeof createTaskActivities>;
  /** A directory the agent user may write to: the fake agent's prompt log and pids file go there. */
  agentOut: string;
  promptLog: string;
  pidsFile: string;
  close(): Promise<void>;
}

export async function startFixture(
  overrides: Partial<TaskActivityDeps> = {},
  /** Where the workspaces go inside the fixture's directory (default `workspaces`). */
  workspaces = 'workspaces',
  /** More worker settings (e.g. MOONMIND_LIVE_SESSIONS). */
  settings: Record<string, string> = {},
): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'mm-task-'));
  // mkdtemp makes it 0700; the agent user must pass through to its workspace and to agentOut.
  await chmod(dir, 0o711);
  const agentOut = join(dir, 'agent-out');
  await mkdir(agentOut);
  await chmod(agentOut, 0o777);
  const gitBase = join(dir, 'remotes');
  const api = await startWorkerApiReceiver();
  const github = await startFakeGitHub();
  const skillsDir = join(dir, 'skills');
  await mkdir(join(skillsDir, 'reviewer'), { recursive: true });
  await writeFile(join(skillsDir, 'reviewer', 'SKILL.md'), '# Reviewer\nRead the diff.\n');
  const config = loadWorkerConfig({
    MOONMIND_API_URL: api.url,
    MOONMIND_WORKER_TOKEN: 'worker-token-for-tests-0001',
    MOONMIND_WORKSPACE_DIR: join(dir, workspaces),
    MOONMIND_SKILLS_DIR: skillsDir,
    MOONMIND_GIT_BASE_URL: `file://${gitBase}`,
    MOONMIND_GITHUB_API_URL: github.url,
    MOONMIND_CODEX_COMMAND: `node ${FAKE_AGENT}`,
    MOONMIND_CLAUDE_COMMAND: FAKE_AGENT,
    MOONMIND_AGENT_ENV: 'FAKE_AGENT_PROMPT_LOG,FAKE_AGENT_PIDS',
    ...settings,
  });
  const promptLog = join(agentOut, 'prompts.log');
  const pidsFile = join(agentOut, 'pids');
  const sandbox = await AgentSandbox.open({
    user: config.MOONMIND_AGENT_USER,
    workspaceDir: config.MOONMIND_WORKSPACE_DIR,
    log: () => {},
  });
  const slots = new RunSlots(2, 60_000);
  const deps: TaskActivityDeps = {
    config,
    hostId: 'test-abc123',
    hostQueue: 'moonmind-host-test-abc123',
    api: new WorkerApiClient(config.MOONMIND_API_URL, config.MOONMIND_WORKER_TOKEN),
    slots,
    sandbox,
    env: {
      ...process.env,
      GITHUB_TOKEN: GH_TOKEN,
      FAKE_AGENT_PROMPT_LOG: promptLog,
      FAKE_AGENT_PIDS: pidsFile,
    },
    killGraceMs: 1_000,
    ...overrides,
  };
  return {
    dir,
    gitBase,
    api,
    github,
    deps,
    activities: createTaskActivities(deps),
    agentOut,
    promptLog,
    pidsFile,
    async close() {
      slots.stop();
      await api.close();
      await github.close();
      // Attempts a test left without releaseHost give their groups back, as a worker's would.
      const workspaces = config.MOONMIND_WORKSPACE_DIR;
      for (const job of await readdir(workspaces).catch(() => []))
        for (const attempt of await readdir(join(workspaces, job)).catch(() => []))
          await sandbox.release(join(workspaces, job, attempt));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function taskPayload(task: Record<string, unknown>, extra: Record<string, unknown> = {}): TaskPayload {
  const r = normalizeJob(
    { type: 'task', payload: { repository: 'acme/widgets', ...extra, task } },
    { defaultRuntime: 'codex' },
  );
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.job.payload;
}

export function prepareInput(payload: TaskPayload, attempt = 1): PrepareInput {
  return {
    jobId: randomUUID(),
    attempt,
    payload,
    submittedAt: '2026-11-27T07:00:00.000Z',
    affinityKey: null,
  };
}

/** Each activity call gets its own context, as it would on a worker. */
export function run<A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> {
  return new MockActivityEnvironment().run(fn, ...args);
}

/** The input of step `index` of a prepared attempt, as the workflow would send it. */
export function stepInput(
  input: PrepareInput,
  prepared: PrepareResult,
  index: number,
  messages: StepInput['operatorMessages'] = [],
): StepInput {
  const steps = planSteps(input.payload);
  return {
    jobId: input.jobId,
    attempt: input.attempt,
    workspace: prepared.workspace,
    payload: input.payload,
    prepared,
    stepIndex: index,
    stepCount: steps.length,
    step: steps[index],
    operatorMessages: messages,
  };
}
