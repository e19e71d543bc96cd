import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { downloadArtifact, listArtifacts, listEvents, submitJob, waitForStatus } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

describe('a three-step task published as a branch (real Temporal, PostgreSQL, git)', () => {
  let stack: Stack;
  let remote: GitRemote;
  beforeAll(async () => {
    remote = await createGitRemote(['octo/demo']);
    stack = await startStack({
      workers: [
        { pool: 'branch', capabilities: ['codex', 'git'], env: { MOONMIND_GIT_BASE_URL: remote.baseUrl } },
      ],
    });
  });
  afterAll(() => stack?.stop());

  it('runs prepare → 3 steps → publish, pushes the branch, records events and artifacts, and is searchable', async () => {
    const job = await submitJob(stack, {
      repository: 'octo/demo',
      task: {
        instructions: 'Improve the docs',
        publish: { mode: 'branch' },
        steps: [
          { id: 'outline', title: 'Outline', instructions: 'Write an outline' },
          { id: 'draft', title: 'Draft', instructions: 'Write the draft' },
          { id: 'polish', title: 'Polish', instructions: 'Polish it' },
        ],
      },
    });
    expect(job.status).toBe('queued');
    const done = await waitForStatus(stack, job.id, ['succeeded', 'failed', 'dead_letter']);
    expect(done.status).toBe('succeeded');

    const branch = `task/${job.createdAt.slice(0, 10).replaceAll('-', '')}/${job.id.slice(0, 8)}`;
    expect(done.branch).toBe(branch);
    expect(await remote.branches('octo/demo')).toContain(branch);
    const notes = await remote.branchFile('octo/demo', branch, 'AGENT_NOTES.md');
    expect(notes).toContain('STEP 1/3 outline Outline');
    expect(notes).toContain('STEP 3/3 polish Polish');
    const [message] = await remote.log('octo/demo', branch);
    expect(message).toBeTruthy();
    expect(message).not.toBe('initial commit');

    const events = await listEvents(stack, job.id);
    const types = events.map((e) => e.type);
    for (const stage of ['prepare', 'execute', 'publish']) {
      expect(types).toContain(`moonmind.task.${stage}.started`);
      expect(types).toContain(`moonmind.task.${stage}.finished`);
    }
    expect(types).toContain('task.defaults.resolved');
    const plan = events.find((e) => e.type === 'task.steps.plan');
    expect(plan?.payload).toMatchObject({ stepCount: 3, stepIds: ['outline', 'draft', 'polish'] });
    const started = events.filter((e) => e.type === 'task.step.started');
    expect(started.map((e) => e.payload.stepIndex)).toEqual([0, 1, 2]);
    expect(started[1].payload).toMatchObject({
      stepId: 'draft',
      effectiveSkill: 'auto',
      hasStepInstructions: true,
    });
    expect(events.filter((e) => e.type === 'task.step.finished')).toHaveLength(3);
    expect(
      events.some(
        (e) => e.type === 'log' && e.payload.stream === 'stdout' && e.message.includes('fake agent'),
      ),
    ).toBe(true);
    expect(types).toContain('task.publish.pushed');
    const ids = events.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    const names = (await listArtifacts(stack, job.id)).map((a) => a.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'logs/prepare.log',
        'logs/execute.log',
        'logs/publish.log',
        'logs/steps/step-0001.log',
        'logs/steps/step-0003.log',
        'patches/changes.patch',
        'task_context.json',
        'publish_result.json',
      ]),
    );
    expect(await downloadArtifact(stack, job.id, 'patches/changes.patch')).toContain('AGENT_NOTES.md');
    expect(await downloadArtifact(stack, job.id, 'logs/execute.log')).toContain('fake agent: done');

    const query = `MoonMindRepository="octo/demo" AND MoonMindPublishMode="branch" AND MoonMindStatus="succeeded" AND MoonMindRuntime="codex"`;
    const found: string[] = [];
    for await (const wf of stack.client.workflow.list({ query })) found.push(wf.workflowId);
    expect(found).toContain(`job-${job.id}`);
    const listed = await (
      await stack.api('/api/queue/jobs?repository=octo/demo&status=succeeded&publishMode=branch')
    ).json();
    expect(listed.items.map((j: { id: string }) => j.id)).toContain(job.id);
  });
});
