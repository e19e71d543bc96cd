import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { listEvents, submitJob, waitForStatus } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

describe('a seeded preset expanded and run through the fake agent (real Temporal, PostgreSQL, git)', () => {
  let stack: Stack;
  let remote: GitRemote;
  beforeAll(async () => {
    remote = await createGitRemote(['octo/presets']);
    stack = await startStack({
      workers: [
        { pool: 'presets', capabilities: ['codex', 'git'], env: { MOONMIND_GIT_BASE_URL: remote.baseUrl } },
      ],
    });
  });
  afterAll(() => stack?.stop());

  it('runs the expanded steps and records the template as applied', async () => {
    const res = await stack.api('/api/task-step-templates/refactor-safely:expand', {
      method: 'POST',
      json: {
        repository: 'octo/presets',
        instructions: 'Tidy the parser',
        inputs: { target: 'src/parser.ts', goal: 'split it into small functions' },
      },
    });
    expect(res.status).toBe(200);
    const expanded = await res.json();
    const job = await submitJob(stack, {
      repository: 'octo/presets',
      task: {
        instructions: 'Tidy the parser',
        publish: { mode: 'branch' },
        steps: expanded.steps,
        appliedStepTemplates: [expanded.appliedTemplate],
      },
    });
    const done = await waitForStatus(stack, job.id, ['succeeded', 'failed', 'dead_letter']);
    expect(done.status).toBe('succeeded');

    const events = await listEvents(stack, job.id);
    const applied = events.filter((e) => e.type === 'task.template.applied');
    expect(applied).toHaveLength(1);
    expect(applied[0].payload).toMatchObject({
      slug: 'refactor-safely',
      version: '1.0.0',
      inputs: { target: 'src/parser.ts', goal: 'split it into small functions' },
      stepIds: ['tpl:refactor-safely:1.0.0:0', 'tpl:refactor-safely:1.0.0:1', 'tpl:refactor-safely:1.0.0:2'],
    });
    const plan = events.find((e) => e.type === 'task.steps.plan');
    expect(plan?.payload.stepIds).toEqual(applied[0].payload.stepIds);
    expect(events.filter((e) => e.type === 'task.step.finished')).toHaveLength(3);
    const branch = `task/${job.createdAt.slice(0, 10).replaceAll('-', '')}/${job.id.slice(0, 8)}`;
    const notes = await remote.branchFile('octo/presets', branch, 'AGENT_NOTES.md');
    expect(notes).toContain('STEP 2/3 tpl:refactor-safely:1.0.0:1 Refactor');
  });
});
