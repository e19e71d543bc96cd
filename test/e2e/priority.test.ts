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
    const lows = [];
    for (const name of ['one', 'two', 'three'])
      lows.push(await submitJob(stack, task(`low ${name}`), { priority: 0 }));
    await new Promise((r) => setTimeout(r, 1500));
    const high = await submitJob(stack, task('high'), { priority: 5 });
    for (const j of [busy, ...lows, high]) await waitForStatus(stack, j.id, 'succeeded', 120_000);

    const prepareAt = async (id: string) => {
      const e = (await listEvents(stack, id)).find((x) => x.type === 'moonmind.task.prepare.started');
      return Date.parse(e!.createdAt);
    };
    const tHigh = await prepareAt(high.id);
    for (const low of lows) expect(tHigh).toBeLessThan(await prepareAt(low.id));
  });
});
