import { describe, expect, it } from 'vitest';
import { generatedBranch, jobTitle, type NormalizeContext, normalizeJob } from '../../contracts/task.ts';

const ctx: NormalizeContext = {
  defaultRuntime: 'codex',
  skillCapabilities: (id) => (id === 'docker-build' ? ['docker'] : []),
};
const submit = (payload: Record<string, unknown>, envelope: Record<string, unknown> = {}) =>
  normalizeJob({ type: 'task', payload, ...envelope }, ctx);
const issuesOf = (r: ReturnType<typeof normalizeJob>) => (r.ok ? [] : r.issues);

describe('canonical task normalization', () => {
  it('fills every default from instructions alone', () => {
    const r = submit({ repository: 'octo/demo', task: { instructions: 'Add a README' } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.job).toMatchObject({ type: 'task', priority: 0, maxAttempts: 3, affinityKey: null });
    expect(r.job.payload).toMatchObject({
      repository: 'octo/demo',
      targetRuntime: 'codex',
      requiredCapabilities: ['codex', 'gh', 'git'],
      auth: { repoAuthRef: null, publishAuthRef: null },
      task: {
        skill: { id: 'auto', args: {} },
        runtime: { mode: 'codex', model: null, effort: null },
        publish: { mode: 'pr', prBaseBranch: null, commitMessage: null, prTitle: null, prBody: null },
        steps: [],
      },
    });
  });

  it('replaces client capabilities with the derived set (runtime, git, gh for pr, skills)', () => {
    const r = submit({
      repository: 'octo/demo',
      requiredCapabilities: ['root', 'everything'],
      targetRuntime: 'gemini',
      task: {
        instructions: 'x',
        publish: { mode: 'branch' },
        steps: [{ title: 'Build', skill: { id: 'docker-build', args: {} } }],
      },
    });
    expect(r.ok && r.job.payload.requiredCapabilities).toEqual(['docker', 'gemini', 'git']);
  });

  it('accepts the three repository forms', () => {
    for (const repository of [
      'octo/demo',
      'https://git.example.com/team/demo.git',
      'git@git.example.com:team/demo.git',
    ]) {
      expect(submit({ repository, task: { instructions: 'x' } }).ok).toBe(true);
    }
  });

  it.each([
    ['missing instructions', { repository: 'a/b', task: {} }, 'payload.task.instructions'],
    ['bad repository form', { repository: 'not a repo', task: { instructions: 'x' } }, 'payload.repository'],
    [
      'URL with credentials',
      { repository: `https://bob:${'hunter2'}@example.com/a/b`, task: { instructions: 'x' } },
      'payload.repository',
    ],
    [
      'raw token in auth',
      {
        repository: 'a/b',
        auth: { repoAuthRef: `ghp_${'0123456789abcdefghijklmnopqrstuvwxyz'}` },
        task: { instructions: 'x' },
      },
      'payload.auth.repoAuthRef',
    ],
    [
      'non-reference auth',
      { repository: 'a/b', auth: { publishAuthRef: 'hunter2' }, task: { instructions: 'x' } },
      'payload.auth.publishAuthRef',
    ],
    [
      'unknown publish mode',
      { repository: 'a/b', task: { instructions: 'x', publish: { mode: 'email' } } },
      'payload.task.publish.mode',
    ],
    [
      'step with runtime',
      { repository: 'a/b', task: { instructions: 'x', steps: [{ runtime: { mode: 'codex' } }] } },
      'payload.task.steps.0.runtime',
    ],
    [
      'non-object skill args',
      { repository: 'a/b', task: { instructions: 'x', skill: { id: 's', args: [1, 2] } } },
      'payload.task.skill.args',
    ],
    [
      'runtime disagreement',
      { repository: 'a/b', targetRuntime: 'claude', task: { instructions: 'x', runtime: { mode: 'codex' } } },
      'payload.targetRuntime',
    ],
  ])('rejects %s with the field path', (_name, payload, path) => {
    const issues = issuesOf(submit(payload as Record<string, unknown>));
    expect(issues.map((i) => i.path)).toContain(path);
  });

  it('never echoes a rejected credential', () => {
    const token = `ghp_${'0123456789abcdefghijklmnopqrstuvwxyz'}`;
    const r = submit({ repository: 'a/b', auth: { repoAuthRef: token }, task: { instructions: 'x' } });
    expect(JSON.stringify(r)).not.toContain(token);
  });

  it('accepts secret references in auth', () => {
    const r = submit({
      repository: 'a/b',
      auth: { repoAuthRef: 'vault://kv/github#token', publishAuthRef: 'env://GITHUB_TOKEN' },
      task: { instructions: 'x' },
    });
    expect(r.ok).toBe(true);
  });

  it('rejects unknown job types and bad envelope numbers', () => {
    expect(issuesOf(normalizeJob({ type: 'shell', payload: {} }, ctx)).map((i) => i.path)).toContain('type');
    expect(
      issuesOf(submit({ repository: 'a/b', task: { instructions: 'x' } }, { maxAttempts: 0 })).map(
        (i) => i.path,
      ),
    ).toContain('maxAttempts');
    expect(
      issuesOf(submit({ repository: 'a/b', task: { instructions: 'x' } }, { priority: 1.5 })).map(
        (i) => i.path,
      ),
    ).toContain('priority');
  });

  it('derives the title and the deterministic branch', () => {
    const r = submit({ repository: 'a/b', task: { instructions: '\n  Fix the login bug.\nMore detail' } });
    expect(r.ok && jobTitle(r.job.payload)).toBe('Fix the login bug.');
    // A step's title names that step; the job is named by its own title, else by its objective.
    const withSteps = submit({
      repository: 'a/b',
      task: { instructions: 'Ship the parser', steps: [{ title: 'Write tests' }] },
    });
    expect(withSteps.ok && jobTitle(withSteps.job.payload)).toBe('Ship the parser');
    const titled = submit({ repository: 'a/b', task: { title: ' Parser ', instructions: 'Ship it' } });
    expect(titled.ok && jobTitle(titled.job.payload)).toBe('Parser');
    expect(
      issuesOf(submit({ repository: 'a/b', task: { title: 'x'.repeat(201), instructions: 'x' } })),
    ).toEqual([{ path: 'payload.task.title', message: 'must be at most 200 characters' }]);
    expect(generatedBranch('0f1e2d3c-aaaa-bbbb-cccc-111122223333', '2026-11-27T10:00:00Z')).toBe(
      'task/20261127/0f1e2d3c',
    );
  });
});
