import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGitHub, startFakeGitHub } from '../fakes/fake-github.ts';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { getJob, listEvents, submitJob, waitForJob, waitForStatus } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

describe('capability and repository routing', () => {
  let stack: Stack;
  let remote: GitRemote;
  let github: FakeGitHub;
  beforeAll(async () => {
    remote = await createGitRemote(['octo/app', 'secret/vault']);
    github = await startFakeGitHub();
    stack = await startStack({
      workers: [
        {
          pool: 'nogh',
          capabilities: ['codex', 'git'],
          repositories: ['octo/*'],
          env: { MOONMIND_GIT_BASE_URL: remote.baseUrl },
        },
      ],
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await github?.close();
  });

  it('waits queued with the reason while no pool serves gh, then runs once one starts', async () => {
    const job = await submitJob(stack, {
      repository: 'octo/app',
      task: { instructions: 'Open a PR', publish: { mode: 'pr' } },
    });
    const waiting = await waitForJob(stack, job.id, (j) => !!j.waitingReason);
    expect(waiting.status).toBe('queued');
    expect(waiting.waitingReason).toMatch(/gh/);
    expect(waiting.waitingReason).toMatch(/octo\/app/);
    const queuedEvent = (await listEvents(stack, job.id)).find((e) => e.type === 'run.queued');
    expect(queuedEvent?.payload.reason ?? queuedEvent?.message).toMatch(/gh/);
    await new Promise((r) => setTimeout(r, 3000));
    expect((await getJob(stack, job.id)).status).toBe('queued');

    await stack.startWorker({
      pool: 'withgh',
      capabilities: ['codex', 'git', 'gh'],
      repositories: ['octo/*'],
      env: {
        MOONMIND_GIT_BASE_URL: remote.baseUrl,
        MOONMIND_GITHUB_API_URL: github.url,
        MOONMIND_GIT_TOKEN: 'fake-forge-token',
      },
    });
    const done = await waitForStatus(stack, job.id, ['succeeded', 'failed', 'dead_letter']);
    expect(done.status).toBe('succeeded');
    expect(done.worker).toMatch(/withgh/);
    expect(github.pulls).toHaveLength(1);
  });

  it('never runs a repository outside every pool policy', async () => {
    const job = await submitJob(stack, {
      repository: 'secret/vault',
      task: { instructions: 'Touch it', publish: { mode: 'branch' } },
    });
    const waiting = await waitForJob(stack, job.id, (j) => !!j.waitingReason);
    expect(waiting.waitingReason).toMatch(/secret\/vault/);
    await new Promise((r) => setTimeout(r, 5000));
    const still = await getJob(stack, job.id);
    expect(still.status).toBe('queued');
    expect(still.attempt).toBeLessThanOrEqual(1);
    expect((await listEvents(stack, job.id)).some((e) => e.type === 'moonmind.task.prepare.started')).toBe(
      false,
    );
    expect(await remote.branches('secret/vault')).toEqual(['main']);
  });
});
