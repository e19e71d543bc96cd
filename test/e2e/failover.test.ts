import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../contracts/events.ts';
import { waitFor } from '../../scripts/ports.ts';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { listEvents, submitJob, waitForJob, waitForStatus } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

/**
 * Worker lifecycle (issue 9, point 2): a host that dies is found by its missing pings (the API's host
 * monitor) and its run retries elsewhere within the liveness window; a host that restarts under its stable
 * id fails over the attempt it lost at once and removes that attempt's workspace.
 */
const LIVENESS_TARGET_MS = 30_000;

/** Whether a process runs (a zombie waiting for its reaper counts as gone). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
};
const at = (e: JobEvent | undefined) => (e ? Date.parse(e.createdAt) : Number.NaN);
const attemptStarted = (events: JobEvent[], attempt: number) =>
  events.find((e) => e.type === 'run.attempt.started' && e.payload.attempt === attempt);

describe('a worker killed in the middle of a step', () => {
  let stack: Stack;
  let remote: GitRemote;
  beforeAll(async () => {
    remote = await createGitRemote(['octo/failover', 'octo/restart']);
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  const workerEnv = () => ({ MOONMIND_GIT_BASE_URL: remote.baseUrl });
  const longRun = (repository: string) =>
    submitJob(stack, {
      repository,
      task: {
        instructions: 'Long work',
        publish: { mode: 'branch' },
        steps: [{ id: 'long', title: 'Long step', instructions: 'FAKE_SLEEP=8' }],
      },
    });

  it('is found lost by its silence and replaced on another worker within 30 s; /readyz drops its pool', async () => {
    const first = await stack.startWorker({
      pool: 'alpha',
      capabilities: ['codex', 'git'],
      env: workerEnv(),
    });
    const job = await longRun('octo/failover');
    await waitForJob(stack, job.id, (j) => j.status === 'running' && j.stage === 'moonmind.task.execute');
    const second = await stack.startWorker({
      pool: 'beta',
      capabilities: ['codex', 'git'],
      env: workerEnv(),
    });
    const killedAt = Date.now();
    first.process.kill('SIGKILL');

    // The pool of the dead worker is gone from /readyz's live pools within the window.
    let poolGoneAt = Number.NaN;
    for (let t = 0; t < 40 && Number.isNaN(poolGoneAt); t++) {
      const ready = (await (await stack.api('/readyz')).json()) as {
        checks: { workers: { detail?: string } };
      };
      if (!ready.checks.workers.detail?.split(', ').includes('alpha')) poolGoneAt = Date.now();
      else await new Promise((r) => setTimeout(r, 1_000));
    }

    const done = await waitForStatus(stack, job.id, ['succeeded', 'failed', 'dead_letter'], 90_000);
    expect(done.status).toBe('succeeded');
    expect(done.attempt).toBe(2);
    expect(done.worker).toMatch(/beta/);
    const events = await listEvents(stack, job.id);
    const failed = events.find((e) => e.type === 'run.attempt.failed');
    expect(failed?.message).toMatch(
      /^attempt 1\/\d+ failed: worker alpha-[0-9a-f]{6} lost \(no ping for \d+ s\); retrying$/,
    );
    const rerouted = at(attemptStarted(events, 2)) - killedAt;
    console.log(
      `[failover] kill → attempt 2 running on another worker: ${rerouted} ms; pool gone from /readyz after ${poolGoneAt - killedAt} ms`,
    );
    expect(rerouted).toBeLessThan(LIVENESS_TARGET_MS);
    expect(poolGoneAt - killedAt).toBeLessThan(LIVENESS_TARGET_MS);
    expect((await remote.branches('octo/failover')).filter((b) => b.startsWith('task/'))).toEqual([
      done.branch,
    ]);
    expect(await remote.log('octo/failover', done.branch!)).toHaveLength(2);
    // A worker that shuts down says so: routing stops sending it runs at once.
    await second.stop();
  }, 180_000);

  it('restarted on the same machine and workspace dir: the same host retries its lost attempt at once and removes its workspace', async () => {
    const workspaceDir = path.join(stack.dataDir, 'workspaces', 'gamma-fixed');
    const pidFile = path.join(stack.agentOut, 'restart-pids');
    const spec = {
      pool: 'gamma',
      capabilities: ['codex', 'git'],
      repositories: ['octo/restart'],
      env: { ...workerEnv(), MOONMIND_WORKSPACE_DIR: workspaceDir, FAKE_AGENT_PIDS: pidFile },
    };
    const first = await stack.startWorker(spec);
    const job = await submitJob(stack, {
      repository: 'octo/restart',
      task: {
        instructions: 'Long work that leaves a process behind',
        publish: { mode: 'branch' },
        steps: [{ id: 'long', instructions: 'FAKE_SPAWN_CHILD FAKE_SLEEP=8' }],
      },
    });
    const running = await waitForJob(
      stack,
      job.id,
      (j) => j.status === 'running' && j.stage === 'moonmind.task.execute',
    );
    let leftover = 0;
    await waitFor(
      'the agent pids',
      async () => {
        leftover = Number((await readFile(pidFile, 'utf8').catch(() => '')).split('\n')[1]);
        return leftover > 0;
      },
      20_000,
      100,
    );
    first.process.kill('SIGKILL');
    await first.exited;
    expect(alive(leftover)).toBe(true); // the dead worker's agent left its child running
    expect(await readdir(path.join(workspaceDir, job.id))).toEqual(['attempt-1']);
    const restartedAt = Date.now();
    await stack.startWorker(spec);

    const done = await waitForStatus(stack, job.id, ['succeeded', 'failed', 'dead_letter'], 120_000);
    expect(done.status).toBe('succeeded');
    expect(done.attempt).toBe(2);
    expect(done.worker).toBe(running.worker); // the same host id
    const events = await listEvents(stack, job.id);
    expect(events.find((e) => e.type === 'run.attempt.failed')?.message).toBe(
      `attempt 1/${done.maxAttempts} failed: worker ${running.worker} lost (it restarted); retrying`,
    );
    const failedOver = at(events.find((e) => e.type === 'run.attempt.failed')) - restartedAt;
    console.log(`[failover] restart → attempt 1 failed over: ${failedOver} ms`);
    expect(failedOver).toBeLessThan(15_000); // at once: the worker's start (a few seconds) plus the signal
    // The restarted worker killed what attempt 1's agent had left running (found by the attempt's group,
    // which only exists where agents run as their own user: a root worker).
    if (process.getuid?.() === 0) expect(alive(leftover)).toBe(false);
    // Attempt 1's workspace went at the restart; attempt 2 succeeded, so its own is gone as well.
    await expect(readdir(path.join(workspaceDir, job.id))).rejects.toThrow(/ENOENT/);
    expect((await remote.branches('octo/restart')).filter((b) => b.startsWith('task/'))).toEqual([
      done.branch,
    ]);
  });
});
