import type { WorkflowExecutionDescription } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIdFor } from '../../contracts/job.ts';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { getJob, submitJob, waitForJob, waitForStatus } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

/**
 * What an engineer sees of a run in Temporal (its Web UI reads the same describe and list calls): a run that
 * did not succeed does not end COMPLETED, its details say what ran where and link back to the dashboard, and
 * the list filters by product status, repository and runtime. The API keeps answering the product status.
 */
describe('runs as Temporal shows them', () => {
  let stack: Stack;
  let remote: GitRemote;
  const publicUrl = 'https://moonmind.example.test';
  beforeAll(async () => {
    remote = await createGitRemote(['octo/status']);
    stack = await startStack({ apiEnv: { MOONMIND_PUBLIC_URL: publicUrl } });
    await stack.startWorker({
      pool: 'status',
      repositories: ['octo/status'],
      env: { MOONMIND_GIT_BASE_URL: remote.baseUrl },
    });
    // Nothing listens on port 9: every clone fails as an outage would, so attempts run out (dead_letter).
    await stack.startWorker({
      pool: 'unreachable',
      repositories: ['octo/unreachable'],
      env: { MOONMIND_GIT_BASE_URL: 'http://127.0.0.1:9', MOONMIND_GIT_HOSTS: '127.0.0.1:9' },
    });
  });
  afterAll(() => stack?.stop());

  const describeRun = (jobId: string): Promise<WorkflowExecutionDescription> =>
    stack.client.workflow.getHandle(workflowIdFor(jobId)).describe();
  const failureOf = async (jobId: string) =>
    stack.client.workflow
      .getHandle(workflowIdFor(jobId))
      .result()
      .then(
        () => null,
        (err) => err.cause as { type?: string; message: string; nonRetryable?: boolean },
      );
  const listed = async (query: string) => {
    const ids: string[] = [];
    for await (const wf of stack.client.workflow.list({ query })) ids.push(wf.workflowId);
    return ids;
  };

  it('a failed run is FAILED in Temporal with its error, and failed in the API', async () => {
    const job = await submitJob(
      stack,
      {
        repository: 'octo/status',
        task: { instructions: 'Break', publish: { mode: 'branch' }, steps: [{ instructions: 'FAKE_FAIL' }] },
      },
      { priority: 2 },
    );
    const done = await waitForStatus(stack, job.id, ['failed', 'succeeded', 'dead_letter', 'cancelled']);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/exited with code 3/);
    expect(done.branch).toMatch(/^task\//);

    const d = await describeRun(job.id);
    expect(d.status.name).toBe('FAILED');
    expect(await failureOf(job.id)).toMatchObject({
      type: 'failed',
      message: done.error,
      nonRetryable: true,
    });
    const details = await d.staticDetails();
    expect(details).toContain('**Repository** `octo/status`');
    expect(details).toContain('**runtime** codex');
    expect(details).toContain('**publish** branch');
    expect(details).toContain('**Priority** 2 (Temporal priority key 1)');
    expect(details).toContain(`[Open in MoonMind](${publicUrl}/tasks/queue/${job.id})`);
    expect(await d.staticSummary()).toBe('Break');
    expect(d.priority?.priorityKey).toBe(1);

    // The saved-view queries of docs/temporal-ui.md.
    await expect
      .poll(() => listed(`MoonMindStatus = "failed" AND MoonMindRepository = "octo/status"`))
      .toContain(workflowIdFor(job.id));
    expect(await listed(`MoonMindRuntime = "codex" AND MoonMindRepository = "octo/status"`)).toContain(
      workflowIdFor(job.id),
    );
    // Namespaces are shared by test files: the repository keeps this check to this file's runs.
    expect(
      await listed(
        `MoonMindStatus = "failed" AND MoonMindRuntime = "gemini" AND MoonMindRepository = "octo/status"`,
      ),
    ).toEqual([]);
    const page = await stack.api('/api/queue/jobs?status=failed');
    expect(((await page.json()) as { items: { id: string }[] }).items.map((j) => j.id)).toContain(job.id);
  });

  it('a cancelled run is CANCELED in Temporal, keeps its branch, and reads cancelled in the API', async () => {
    const job = await submitJob(stack, {
      repository: 'octo/status',
      task: {
        instructions: 'Wait',
        publish: { mode: 'branch' },
        steps: [{ instructions: 'FAKE_SLEEP=300' }],
      },
    });
    await waitForJob(stack, job.id, (j) => j.stage === 'moonmind.task.execute');
    const res = await stack.api(`/api/queue/jobs/${job.id}/cancel`, { method: 'POST', json: {} });
    expect(res.status).toBe(200);
    const done = await waitForStatus(stack, job.id, ['cancelled', 'failed', 'succeeded']);
    expect(done.status).toBe('cancelled');
    expect(done.branch).toMatch(/^task\//);
    await expect.poll(async () => (await describeRun(job.id)).status.name).toBe('CANCELLED');
    expect((await getJob(stack, job.id)).status).toBe('cancelled');
    expect(await listed(`MoonMindStatus = "cancelled"`)).toContain(workflowIdFor(job.id));
  });

  it('a dead-lettered run is FAILED with type dead_letter, and found by the failed-or-dead-lettered filter', async () => {
    const job = await submitJob(
      stack,
      { repository: 'octo/unreachable', task: { instructions: 'Never cloned', publish: { mode: 'none' } } },
      { maxAttempts: 1 },
    );
    const done = await waitForStatus(stack, job.id, ['dead_letter', 'failed', 'succeeded'], 90_000);
    expect(done.status, done.error ?? '').toBe('dead_letter');
    expect((await describeRun(job.id)).status.name).toBe('FAILED');
    expect(await failureOf(job.id)).toMatchObject({ type: 'dead_letter', message: done.error });
    const ids = async (status: string) =>
      (
        (await (await stack.api(`/api/queue/jobs?status=${status}`)).json()) as { items: { id: string }[] }
      ).items.map((j) => j.id);
    expect(await ids('failed_or_dead_letter')).toContain(job.id);
    expect(await ids('dead_letter')).toContain(job.id);
    expect(await ids('failed')).not.toContain(job.id);
  });
});
