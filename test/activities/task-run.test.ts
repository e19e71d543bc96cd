import { lstat, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrepareResult } from '../../contracts/activities.ts';
import {
  type Fixture,
  GH_TOKEN,
  makeBareRepo,
  prepareInput,
  run,
  sh,
  startFixture,
  stepInput,
  taskPayload,
} from './task-fixture.ts';

let fx: Fixture;
let bare: string;
beforeAll(async () => {
  // Headless: the `[stderr]` lines below exist only with pipes (a PTY merges them into stdout).
  fx = await startFixture({}, 'workspaces', { MOONMIND_LIVE_SESSIONS: 'off' });
  bare = await makeBareRepo(fx.gitBase, 'acme/widgets', ['release-1']);
});
afterAll(async () => {
  await fx?.close();
});

const types = (jobId: string) => fx.api.events(jobId).map((e) => e.type);

describe('a PR run through the task activities', () => {
  const payload = taskPayload({
    instructions: 'Add release notes for the widget. Keep it short.',
    steps: [
      { id: 'notes', title: 'Write notes', instructions: 'Write the notes.' },
      { id: 'review', instructions: 'Review them.', skill: { id: 'reviewer' } },
    ],
  });
  const input = prepareInput(payload);
  let prepared: PrepareResult;

  it('prepare clones, resolves branches and defaults, and builds the workspace', async () => {
    prepared = await run(fx.activities.prepare, input);
    expect(prepared).toMatchObject({
      hostId: 'test-abc123',
      hostQueue: 'moonmind-host-test-abc123',
      defaultBranch: 'main',
      startingBranch: 'main',
      workingBranch: `task/20261127/${input.jobId.slice(0, 8)}`,
      runtime: { mode: 'codex', model: 'gpt-6.2-sol', effort: 'high' },
    });
    expect(prepared.workspace).toBe(join(fx.dir, 'workspaces', input.jobId, 'attempt-1'));
    const repo = join(prepared.workspace, 'repo');
    expect(sh(repo, 'branch', '--show-current')).toBe(prepared.workingBranch);
    expect(await readlink(join(repo, '.agents/skills'))).toBe(join(prepared.workspace, 'skills_active'));
    expect((await lstat(join(repo, '.gemini/skills'))).isSymbolicLink()).toBe(true);
    expect(await readFile(join(repo, '.agents/skills/reviewer/SKILL.md'), 'utf8')).toContain('# Reviewer');
    expect(sh(repo, 'status', '--porcelain')).toBe(''); // the links do not show as changes
    expect(types(input.jobId)).toEqual([
      'moonmind.task.prepare.started',
      'task.defaults.resolved',
      'task.steps.plan',
      'moonmind.task.prepare.finished',
    ]);
    const plan = fx.api.events(input.jobId).find((e) => e.type === 'task.steps.plan');
    expect(plan?.payload).toEqual({ stepCount: 2, stepIds: ['notes', 'review'] });
    const context = JSON.parse(fx.api.artifacts.get(`${input.jobId}/task_context.json`)?.body ?? '{}');
    expect(context).toMatchObject({ workingBranch: prepared.workingBranch, skills: ['reviewer'] });
    expect(fx.api.artifacts.get(`${input.jobId}/logs/prepare.log`)?.body).toContain('git clone');
    expect(fx.deps.slots.held).toContain(prepared.workspace);
  });

  it('runs each step with the prompt in order, operator messages included, streaming logs', async () => {
    await run(fx.activities.executeStep, stepInput(input, prepared, 0));
    const message = {
      requestId: 'r-1',
      actor: 'alice',
      message: 'Please mention the v2 API.',
      at: '2026-11-27T07:05:00Z',
    };
    const result = await run(fx.activities.executeStep, stepInput(input, prepared, 1, [message]));
    expect(result).toEqual({ exitCode: 0, summary: 'fake agent: done' });

    const prompts = (await readFile(fx.promptLog, 'utf8')).split('----- end of prompt -----\n');
    const second = prompts.find((p) => p.includes('STEP 2/2 review')) ?? '';
    const order = [
      '# Task objective',
      'Add release notes',
      '# STEP 2/2 review',
      'Review them.',
      'Effective skill: reviewer',
      '.agents/skills/reviewer/',
      '# Workspace rules',
      'Do not commit',
      'Please mention the v2 API.',
    ];
    const positions = order.map((s) => second.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(prompts.find((p) => p.includes('STEP 1/2 notes Write notes'))).not.toContain('v2 API');

    const inbox = (await readFile(join(prepared.workspace, 'operator_inbox.jsonl'), 'utf8'))
      .trim()
      .split('\n');
    expect(inbox.map((l) => JSON.parse(l).requestId)).toEqual(['r-1']);

    const events = fx.api.events(input.jobId);
    const started = events.filter((e) => e.type === 'task.step.started');
    expect(started.map((e) => e.payload)).toMatchObject([
      { stepIndex: 0, stepId: 'notes', effectiveSkill: 'auto', hasStepInstructions: true },
      { stepIndex: 1, stepId: 'review', effectiveSkill: 'reviewer', hasStepInstructions: true },
    ]);
    expect(events.filter((e) => e.type === 'task.step.finished')).toHaveLength(2);
    const logs = events.filter((e) => e.type === 'log');
    expect(logs.some((e) => e.payload.stream === 'stdout' && e.message.includes('agent_message'))).toBe(true);
    expect(logs.some((e) => e.payload.stream === 'stderr' && e.payload.kind === 'log')).toBe(true);
    expect(fx.api.artifacts.get(`${input.jobId}/logs/steps/step-0002.log`)?.body).toContain(
      'fake agent: done',
    );
  });

  it('finishExecute writes the patch and the execute log', async () => {
    const out = await run(fx.activities.finishExecute, {
      jobId: input.jobId,
      attempt: 1,
      workspace: prepared.workspace,
      outcome: 'succeeded',
    });
    expect(out).toEqual({ changed: true });
    const patch = fx.api.artifacts.get(`${input.jobId}/patches/changes.patch`)?.body ?? '';
    expect(patch).toContain('+++ b/AGENT_NOTES.md');
    expect(patch).toContain('+- STEP 2/2 review');
    const log = fx.api.artifacts.get(`${input.jobId}/logs/execute.log`)?.body ?? '';
    expect(log.indexOf('# step 1/2 notes')).toBeLessThan(log.indexOf('# step 2/2 review'));
    expect(types(input.jobId)).toContain('moonmind.task.execute.finished');
  });

  it('publish commits, pushes the working branch and opens the PR with the footer', async () => {
    const publishInput = { jobId: input.jobId, attempt: 1, workspace: prepared.workspace, payload, prepared };
    const result = await run(fx.activities.publish, publishInput);
    expect(result).toMatchObject({ mode: 'pr', branch: prepared.workingBranch, prNumber: 1, skipped: null });
    expect(sh(bare, 'rev-parse', `refs/heads/${prepared.workingBranch}`)).toBe(result.commit);
    expect(sh(bare, 'show', `${prepared.workingBranch}:AGENT_NOTES.md`)).toBe(
      '- STEP 1/2 notes Write notes\n- STEP 2/2 review',
    );
    expect(sh(bare, 'log', '-1', '--format=%B', prepared.workingBranch)).toBe(
      `Write notes\n\nMoonMind-Job: ${input.jobId}`,
    );

    const post = fx.github.requests.find((r) => r.method === 'POST');
    expect(post?.path).toBe('/repos/acme/widgets/pulls');
    expect(post?.authorization).toBe(`Bearer ${GH_TOKEN}`);
    const body = post?.body as { head: string; base: string; title: string; body: string };
    expect(body.head).toBe(prepared.workingBranch);
    expect(body.base).toBe('main');
    expect(body.title).toBe(`Write notes [mm:${input.jobId.slice(0, 8)}]`);
    expect(body.body).toContain(
      `---\n<!-- moonmind:begin -->\nMoonMind Job: ${input.jobId}\nRuntime: codex\nBase: main\nHead: ${prepared.workingBranch}\n<!-- moonmind:end -->`,
    );
    expect(JSON.parse(fx.api.artifacts.get(`${input.jobId}/publish_result.json`)?.body ?? '{}')).toEqual(
      result,
    );
    expect(types(input.jobId)).toEqual(
      expect.arrayContaining(['task.publish.pushed', 'task.publish.pr', 'moonmind.task.publish.finished']),
    );

    // A retried publish: the same commit, the same PR, no second POST.
    const again = await run(fx.activities.publish, publishInput);
    expect(again).toEqual({ ...result });
    expect(sh(bare, 'rev-list', '--count', `main..${prepared.workingBranch}`)).toBe('1');
    expect(fx.github.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(fx.github.pulls).toHaveLength(1);
    const tokenSeen =
      JSON.stringify([...fx.api.artifacts.values()]) + JSON.stringify(fx.api.events(input.jobId));
    expect(tokenSeen).not.toContain(GH_TOKEN);
  });

  it('a later attempt of the job continues the branch the earlier one pushed', async () => {
    const retry = await run(fx.activities.prepare, { ...input, attempt: 2 });
    expect(retry.workingBranch).toBe(prepared.workingBranch);
    expect(retry.workspace).toBe(join(fx.dir, 'workspaces', input.jobId, 'attempt-2'));
    expect(await readFile(join(retry.workspace, 'repo', 'AGENT_NOTES.md'), 'utf8')).toContain(
      'STEP 2/2 review',
    );
    await run(fx.activities.releaseHost, { jobId: input.jobId, workspace: retry.workspace });
  });

  it('releaseHost gives the run slot back and keeps the workspace', async () => {
    await run(fx.activities.releaseHost, { jobId: input.jobId, workspace: prepared.workspace });
    expect(fx.deps.slots.held).not.toContain(prepared.workspace);
    expect((await lstat(join(prepared.workspace, 'repo'))).isDirectory()).toBe(true);
  });
});

describe('prepare failures that would repeat on every attempt fail the run', () => {
  it('an unknown repository', async () => {
    const input = prepareInput(taskPayload({ instructions: 'x' }, { repository: 'acme/missing' }));
    const err = await run(fx.activities.prepare, input).catch((e) => e);
    expect(err).toMatchObject({ type: 'TaskFailure', nonRetryable: true });
    expect(types(input.jobId)).toContain('moonmind.task.prepare.failed');
    expect(fx.api.artifacts.get(`${input.jobId}/logs/prepare.log`)?.body).toContain('prepare failed');
    expect(fx.deps.slots.held).toEqual([]);
  });

  it('a skill this worker does not have, or a starting branch the remote does not have', async () => {
    const noSkill = prepareInput(taskPayload({ instructions: 'x', skill: { id: 'unknown-skill' } }));
    await expect(run(fx.activities.prepare, noSkill)).rejects.toMatchObject({
      type: 'TaskFailure',
      message: expect.stringContaining('unknown-skill'),
    });
    const noBranch = prepareInput(taskPayload({ instructions: 'x', git: { startingBranch: 'nope' } }));
    await expect(run(fx.activities.prepare, noBranch)).rejects.toMatchObject({
      type: 'TaskFailure',
      message: expect.stringContaining('nope'),
    });
    expect(fx.deps.slots.held).toEqual([]);
  });
});

describe('step outcomes', () => {
  it('a failing step throws a non-retryable TaskFailure and keeps its log', async () => {
    const input = prepareInput(
      taskPayload({ instructions: 'Break it', steps: [{ instructions: 'FAKE_FAIL now' }] }),
    );
    const prepared = await run(fx.activities.prepare, input);
    const err = await run(fx.activities.executeStep, stepInput(input, prepared, 0)).catch((e) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'TaskFailure', nonRetryable: true });
    expect(err.message).toMatch(/exited with code 3/);
    const failed = fx.api.events(input.jobId).find((e) => e.type === 'task.step.failed');
    expect(failed).toMatchObject({
      level: 'error',
      payload: { stepIndex: 0, stepId: 'step-1', exitCode: 3 },
    });
    expect(fx.api.artifacts.get(`${input.jobId}/logs/steps/step-0001.log`)?.body).toContain(
      'failing as asked',
    );
    await run(fx.activities.releaseHost, { jobId: input.jobId, workspace: prepared.workspace });
  });

  it('redacts token-like output from log events and logs', async () => {
    const secret = `sk-proj-${'Q1w2E3r4T5y6'.repeat(3)}`;
    const input = prepareInput(
      taskPayload({ instructions: 'Leak', steps: [{ instructions: 'FAKE_ECHO=placeholder' }] }),
    );
    // The submitted payload could never hold it (normalizeJob rejects raw secrets): it comes from the agent.
    input.payload.task.steps[0].instructions = `FAKE_ECHO=key:${secret}`;
    const prepared = await run(fx.activities.prepare, input);
    await run(fx.activities.executeStep, stepInput(input, prepared, 0));
    const all =
      JSON.stringify(fx.api.events(input.jobId)) +
      (fx.api.artifacts.get(`${input.jobId}/logs/steps/step-0001.log`)?.body ?? '');
    expect(all).not.toContain(secret);
    expect(
      fx.api.events(input.jobId).some((e) => e.type === 'log' && e.message.includes('key:[REDACTED]')),
    ).toBe(true);
    await run(fx.activities.releaseHost, { jobId: input.jobId, workspace: prepared.workspace });
  });

  it('a run without changes publishes nothing', async () => {
    const payload = taskPayload({ instructions: 'Look only. FAKE_NOOP', publish: { mode: 'branch' } });
    const input = prepareInput(payload);
    const prepared = await run(fx.activities.prepare, input);
    await run(fx.activities.executeStep, stepInput(input, prepared, 0));
    const fin = await run(fx.activities.finishExecute, {
      jobId: input.jobId,
      attempt: 1,
      workspace: prepared.workspace,
      outcome: 'succeeded',
    });
    expect(fin.changed).toBe(false);
    expect(fx.api.artifacts.has(`${input.jobId}/patches/changes.patch`)).toBe(false);
    const result = await run(fx.activities.publish, {
      jobId: input.jobId,
      attempt: 1,
      workspace: prepared.workspace,
      payload,
      prepared,
    });
    expect(result).toMatchObject({ mode: 'branch', skipped: 'no changes', branch: null, commit: null });
    expect(sh(bare, 'branch', '--list', prepared.workingBranch)).toBe('');
    expect(types(input.jobId)).toContain('task.publish.skipped');
    await run(fx.activities.releaseHost, { jobId: input.jobId, workspace: prepared.workspace });
  });

  it('finishExecute with releaseHost (publish none) delivers its work, then gives the run slot back', async () => {
    const payload = taskPayload({ instructions: 'Look only. FAKE_NOOP', publish: { mode: 'none' } });
    const input = prepareInput(payload);
    const prepared = await run(fx.activities.prepare, input);
    await run(fx.activities.executeStep, stepInput(input, prepared, 0));
    expect(fx.deps.slots.held).toContain(prepared.workspace);
    const fin = await run(fx.activities.finishExecute, {
      jobId: input.jobId,
      attempt: 1,
      workspace: prepared.workspace,
      outcome: 'succeeded',
      releaseHost: true,
    });
    expect(fin).toEqual({ changed: false });
    expect(fx.deps.slots.held).not.toContain(prepared.workspace);
    expect(fx.api.artifacts.has(`${input.jobId}/logs/execute.log`)).toBe(true);
    expect(types(input.jobId)).toContain('moonmind.task.execute.finished');
    // A succeeded attempt leaves nothing behind once its artifacts are stored.
    expect(await lstat(prepared.workspace).catch((e: NodeJS.ErrnoException) => e.code)).toBe('ENOENT');
  });

  it('branch mode on a non-default starting branch continues that branch', async () => {
    const payload = taskPayload({
      instructions: 'Patch the release',
      git: { startingBranch: 'release-1' },
      publish: { mode: 'branch', commitMessage: 'Patch release 1' },
    });
    const input = prepareInput(payload);
    const prepared = await run(fx.activities.prepare, input);
    expect(prepared).toMatchObject({ startingBranch: 'release-1', workingBranch: 'release-1' });
    await run(fx.activities.executeStep, stepInput(input, prepared, 0));
    await run(fx.activities.finishExecute, {
      jobId: input.jobId,
      attempt: 1,
      workspace: prepared.workspace,
      outcome: 'succeeded',
    });
    const result = await run(fx.activities.publish, {
      jobId: input.jobId,
      attempt: 1,
      workspace: prepared.workspace,
      payload,
      prepared,
    });
    expect(result).toMatchObject({ mode: 'branch', branch: 'release-1', prUrl: null });
    expect(sh(bare, 'log', '-1', '--format=%s', 'release-1')).toBe('Patch release 1');
    expect(sh(bare, 'show', 'release-1:AGENT_NOTES.md')).toBe('- STEP 1/1 step-1');
    await run(fx.activities.releaseHost, { jobId: input.jobId, workspace: prepared.workspace });
  });
});
