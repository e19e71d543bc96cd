import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { listEvents, submitJob, waitForJob, waitForStatus } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

describe('event ingestion across an API restart', () => {
  let stack: Stack;
  let remote: GitRemote;
  beforeAll(async () => {
    remote = await createGitRemote(['octo/restart']);
    stack = await startStack({
      workers: [
        { pool: 'restart', capabilities: ['codex', 'git'], env: { MOONMIND_GIT_BASE_URL: remote.baseUrl } },
      ],
    });
  });
  afterAll(() => stack?.stop());

  it('delivers every buffered log line once, in order, after the API comes back', async () => {
    const job = await submitJob(stack, {
      repository: 'octo/restart',
      task: {
        instructions: 'Print while the API restarts',
        publish: { mode: 'none' },
        steps: [{ instructions: 'FAKE_SLEEP=8' }],
      },
    });
    await waitForJob(stack, job.id, (j) => j.stage === 'moonmind.task.execute');
    await stack.stopApi();
    await new Promise((r) => setTimeout(r, 4000));
    await stack.startApi();
    await waitForStatus(stack, job.id, ['succeeded', 'failed', 'dead_letter'], 120_000);

    const events = await listEvents(stack, job.id);
    const working = events
      .filter((e) => e.type === 'log')
      .map((e) => /\bworking (\d+)\b/.exec(e.message)?.[1])
      .filter(Boolean)
      .map(Number);
    expect(working.length).toBeGreaterThanOrEqual(14);
    expect(working).toEqual(Array.from({ length: working.length }, (_, i) => i + 1));
    const ids = events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
