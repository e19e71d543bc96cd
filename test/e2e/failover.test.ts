import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { listEvents, submitJob, waitForJob, waitForStatus } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

describe('a worker killed in the middle of a step', () => {
  let stack: Stack;
  let remote: GitRemote;
  beforeAll(async () => {
    remote = await createGitRemote(['octo/failover']);
    stack = await startStack();
  });
  afterAll(() => stack?.stop());

  it('is replaced by a new attempt on another worker; exactly one branch results', async () => {
    const first = await stack.startWorker({
      pool: 'alpha',
      capabilities: ['codex', 'git'],
      env: { MOONMIND_GIT_BASE_URL: remote.baseUrl },
    });
    const job = await submitJob(stack, {
      repository: 'octo/failover',
      task: {
        instructions: 'Long work',
        publish: { mode: 'branch' },
        steps: [{ id: 'long', title: 'Long step', instructions: 'FAKE_SLEEP=6' }],
      },
    });
    await waitForJob(stack, job.id, (j) => j.status === 'running' && j.stage === 'moonmind.task.execute');
    await stack.startWorker({
      pool: 'beta',
      capabilities: ['codex', 'git'],
      env: { MOONMIND_GIT_BASE_URL: remote.baseUrl },
    });
    first.process.kill('SIGKILL');

    const done = await waitForStatus(stack, job.id, ['succeeded', 'failed', 'dead_letter'], 150_000);
    expect(done.status).toBe('succeeded');
    expect(done.attempt).toBe(2);
    expect(done.worker).toMatch(/beta/);
    const events = await listEvents(stack, job.id);
    const attempts = new Set(
      events.filter((e) => e.type === 'moonmind.task.prepare.started').map((e) => e.payload.attempt),
    );
    expect(attempts).toEqual(new Set([1, 2]));
    expect(events.some((e) => e.type === 'run.attempt.failed')).toBe(true);
    expect((await remote.branches('octo/failover')).filter((b) => b.startsWith('task/'))).toEqual([
      done.branch,
    ]);
    expect(await remote.log('octo/failover', done.branch!)).toHaveLength(2);
  });
});
