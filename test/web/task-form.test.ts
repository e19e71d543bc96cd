import { describe, expect, it } from 'vitest';
import { normalizeJob } from '../../contracts/task.ts';
import {
  applyDefaults,
  buildRequest,
  checkForm,
  emptyForm,
  fieldForIssue,
  move,
  newStep,
  submissionKeys,
  type TaskForm,
} from '../../web/src/lib/task-form.ts';

const ctx = { defaultRuntime: 'codex', defaultRepository: null };

function twoStepForm(): TaskForm {
  const form = emptyForm({ defaultRuntime: 'claude', defaultRepository: 'octo/demo' });
  form.steps[0].instructions = 'Fix the flaky test';
  form.steps[0].skillId = 'pr-resolver';
  form.steps[0].skillArgs = '{"pr": 12}';
  form.steps.push({ ...newStep(), id: 'impl', title: 'Implement', instructions: 'Write the fix' });
  form.steps.push({ ...newStep(), instructions: 'Run the tests', skillId: 'tester' });
  form.model = 'claude-x';
  form.effort = 'high';
  form.startingBranch = 'main';
  form.publishMode = 'branch';
  form.priority = '5';
  form.maxAttempts = '2';
  form.affinityKey = 'team-a';
  return form;
}

describe('form → request body', () => {
  it('maps the primary step to task.instructions/skill and extra steps to task.steps', () => {
    const { body, errors } = buildRequest(twoStepForm());
    expect(errors).toEqual({});
    expect(body).toEqual({
      type: 'task',
      priority: 5,
      maxAttempts: 2,
      affinityKey: 'team-a',
      payload: {
        repository: 'octo/demo',
        task: {
          instructions: 'Fix the flaky test',
          skill: { id: 'pr-resolver', args: { pr: 12 } },
          runtime: { mode: 'claude', model: 'claude-x', effort: 'high' },
          git: { startingBranch: 'main', newBranch: null },
          publish: { mode: 'branch' },
          steps: [
            { id: 'impl', title: 'Implement', instructions: 'Write the fix' },
            { instructions: 'Run the tests', skill: { id: 'tester', args: {} } },
          ],
        },
      },
    });
  });

  it('builds a body the server contract accepts as-is', () => {
    const result = normalizeJob(buildRequest(twoStepForm()).body, { defaultRuntime: 'codex' });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.job.payload.task.steps.map((s) => s.id)).toEqual(['impl', 'step-2']);
    expect(checkForm(twoStepForm(), ctx)).toEqual({});
  });

  it('defaults the skill to auto and empty overrides to null', () => {
    const form = emptyForm();
    form.steps[0].instructions = 'x';
    form.repository = 'a/b';
    const task = (buildRequest(form).body.payload as { task: Record<string, unknown> }).task;
    expect(task.skill).toEqual({ id: 'auto', args: {} });
    expect(task.runtime).toEqual({ mode: 'codex', model: null, effort: null });
    expect(task.publish).toEqual({ mode: 'pr' });
  });
});

describe('form checks', () => {
  it('names each invalid field', () => {
    const form = emptyForm();
    form.repository = `https://user:${'pw'}@github.com/octo/demo`;
    form.priority = '1.5';
    form.maxAttempts = '0';
    form.steps.push({ ...newStep(), skillArgs: '[1,2]' });
    form.steps.push({ ...newStep(), skillArgs: '{oops' });
    const errors = checkForm(form, ctx);
    expect(errors['steps.0.instructions']).toBe('is required');
    expect(errors.repository).toBe('must not contain credentials');
    expect(errors.priority).toBe('must be an integer');
    expect(errors.maxAttempts).toBe('must be at least 1');
    expect(errors['steps.1.skillArgs']).toBe('must be a JSON object');
    expect(errors['steps.2.skillArgs']).toBe('must be valid JSON');
  });

  it('requires a step, a known runtime and publish mode, and a repository form', () => {
    const form = emptyForm();
    form.steps = [];
    form.runtime = 'cobol';
    form.publishMode = 'email';
    form.repository = 'not a repo';
    const errors = checkForm(form, ctx);
    expect(errors.steps).toBe('add at least one step');
    expect(errors.runtime).toMatch(/must be one of codex, gemini, claude/);
    expect(errors.publishMode).toMatch(/must be one of/);
    expect(errors.repository).toMatch(/owner\/repo/);
  });

  it('flags a raw token typed into the instructions (shared secret scan)', () => {
    const form = emptyForm();
    form.repository = 'octo/demo';
    form.steps[0].instructions = `use ghp_${'a'.repeat(36)} to push`;
    expect(checkForm(form, ctx)['steps.0.instructions']).toMatch(/raw credential/);
  });

  it('uses the default repository when the field is empty', () => {
    const form = emptyForm();
    form.steps[0].instructions = 'x';
    expect(checkForm(form, ctx).repository).toBe('is required');
    expect(checkForm(form, { ...ctx, defaultRepository: 'octo/demo' }).repository).toBeUndefined();
  });
});

describe('server issue path → field', () => {
  it.each([
    ['payload.repository', 'repository'],
    ['payload.targetRuntime', 'runtime'],
    ['payload.task.runtime.mode', 'runtime'],
    ['payload.task.runtime.model', 'model'],
    ['payload.task.runtime.effort', 'effort'],
    ['payload.task.instructions', 'steps.0.instructions'],
    ['payload.task.skill.id', 'steps.0.skillId'],
    ['payload.task.skill.args', 'steps.0.skillArgs'],
    ['payload.task.steps.0.instructions', 'steps.1.instructions'],
    ['payload.task.steps.1.id', 'steps.2.id'],
    ['payload.task.steps.0.skill.args', 'steps.1.skillArgs'],
    ['payload.task.steps.3.branch', 'steps.4.instructions'],
    ['payload.task.steps', 'steps'],
    ['payload.task.git.newBranch', 'newBranch'],
    ['payload.task.publish.mode', 'publishMode'],
    ['priority', 'priority'],
    ['maxAttempts', 'maxAttempts'],
    ['affinityKey', 'affinityKey'],
    ['type', '_form'],
    ['payload.somethingElse', '_form'],
  ])('%s → %s', (path, field) => {
    expect(fieldForIssue(path)).toBe(field);
  });
});

describe('step reordering', () => {
  it('moves within bounds only', () => {
    expect(move(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(move(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    const list = ['a', 'b'];
    expect(move(list, 0, -1)).toBe(list);
    expect(move(list, 1, 1)).toBe(list);
  });
});

describe('submissionKeys', () => {
  it('reuses the key for a retry of the same request and makes a new one for an edited request', () => {
    let n = 0;
    const keyFor = submissionKeys(() => `key-${++n}`);
    const request = buildRequest(twoStepForm()).body;
    expect(keyFor(request)).toBe('key-1');
    expect(keyFor(structuredClone(request))).toBe('key-1');
    const edited = { ...request, priority: 7 };
    expect(keyFor(edited)).toBe('key-2');
    expect(keyFor(edited)).toBe('key-2');
  });
});

describe('applyDefaults', () => {
  it('fills the fields still empty and keeps what the user typed while the defaults loaded', () => {
    const form = emptyForm();
    form.repository = 'octo/docs';
    form.publishMode = 'none';
    applyDefaults(form, (key, value) => Object.assign(form, { [key]: value }), {
      defaultRuntime: 'claude',
      defaultRepository: 'octo/main',
      defaultPublishMode: 'branch',
    });
    expect(form).toMatchObject({ runtime: 'claude', repository: 'octo/docs', publishMode: 'none' });
  });
});
