import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { listEvents, submitJob, waitForJob, waitForStatus } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

describe('priority', () => {
  let stack: Stack;
  let remote: GitRemote;
  beforeAll(async () => {
    remote = await createGitRemote(['octo/prio']);
    stack = await startStack({
      workers: [
        {
          pool: 'single',
          capabilities: ['codex', 'git'],
          concurrency: 1,
          env: { MOONMIND_GIT_BASE_URL: remote.baseUrl },
        },
      ],
    });
  });
  afterAll(() => stack?.stop());

  it('dispatches a higher-priority run before older lower-priority ones waiting for the busy slot', async () => {
    const task = (instructions: string) => ({
      repository: 'octo/prio',
      task: { instructions, publish: { mode: 'none' } },
    });
    const busy = await submitJob(stack, task('FAKE_SLEEP=5 busy'));
    await waitForJob(stack, busy.id, (j) => j.stage === 'moonmind.task.execute');
    const low1 = await submitJob(stack, task('low one'), { priority: 0 });
    const low2 = await submitJob(stack, task('low two'), { priority: 0 });
    await new Promise((r) => setTimeout(r, 1500));
    const high = await submitJob(stack, task('high'), { priority: 5 });
    for (const j of [busy, low1, low2, high]) await waitForStatus(stack, j.id, 'succeeded', 120_000);

    const prepareAt = async (id: string) => {
      const e = (await listEvents(stack, id)).find((x) => x.type === 'moonmind.task.prepare.started');
      return Date.parse(e!.createdAt);
    };
    const [tLow1, tLow2, tHigh] = [
      await prepareAt(low1.id),
      await prepareAt(low2.id),
      await prepareAt(high.id),
    ];
    expect(tHigh).toBeLessThan(tLow1);
    expect(tHigh).toBeLessThan(tLow2);
  });
});
