import { describe, expect, test } from 'vitest';
import { type ExpandContext, expandTemplate, unresolvedPlaceholders } from '../../api/presets/expand.ts';
import { templateFromSteps } from '../../api/presets/save-from-task.ts';
import { type TemplateBody, templateBodySchema } from '../../contracts/presets.ts';

const template = (over: Partial<Record<keyof TemplateBody, unknown>> = {}): TemplateBody =>
  templateBodySchema.parse({
    slug: 'ship-it',
    version: '1.2.0',
    scope: 'global',
    title: 'Ship it',
    inputs: [
      { name: 'feature', label: 'Feature', type: 'text', required: true },
      { name: 'depth', label: 'Depth', type: 'enum', options: ['quick', 'thorough'], default: 'quick' },
      { name: 'dry', label: 'Dry run', type: 'boolean', default: false },
    ],
    steps: [
      {
        title: 'Plan {{inputs.feature}}',
        instructions: 'Plan {{ inputs.feature }} ({{inputs.depth}}) in {{context.repository}}',
      },
      {
        title: 'Build',
        instructions:
          'Objective: {{context.objective}} by {{context.requester}} on {{iso_today}} ({{now}}), dry={{inputs.dry}}',
      },
      {
        skill: {
          id: 'write-tests',
          args: { target: '{{inputs.feature}}', nested: ['{{context.defaultBranch}}'] },
        },
      },
    ],
    requiredCapabilities: ['docker'],
    ...over,
  });
const context: ExpandContext = {
  repository: 'acme/widgets',
  defaultBranch: null,
  objective: 'Make it fast',
  requester: 'ada',
};
const now = new Date('2026-03-04T05:06:07.000Z');
const options = {
  now,
  maxSteps: 25,
  skillCapabilities: (id: string) => (id === 'write-tests' ? ['node'] : []),
};
const paths = (o: ReturnType<typeof expandTemplate>) => (o.ok ? [] : o.issues.map((i) => i.path));

describe('expansion', () => {
  test('fills inputs, context and the clock; ids are tpl:<slug>:<version>:<index>', () => {
    const out = expandTemplate(template(), { feature: 'search' }, context, options);
    if (!out.ok) throw new Error(JSON.stringify(out.issues));
    expect(out.result.steps).toEqual([
      {
        id: 'tpl:ship-it:1.2.0:0',
        title: 'Plan search',
        instructions: 'Plan search (quick) in acme/widgets',
        skill: null,
      },
      {
        id: 'tpl:ship-it:1.2.0:1',
        title: 'Build',
        instructions: 'Objective: Make it fast by ada on 2026-03-04 (2026-03-04T05:06:07.000Z), dry=false',
        skill: null,
      },
      {
        id: 'tpl:ship-it:1.2.0:2',
        title: null,
        instructions: null,
        skill: { id: 'write-tests', args: { target: 'search', nested: ['main'] } },
      },
    ]);
    expect(out.result.appliedTemplate).toEqual({
      slug: 'ship-it',
      version: '1.2.0',
      inputs: { feature: 'search', depth: 'quick', dry: false },
      stepIds: ['tpl:ship-it:1.2.0:0', 'tpl:ship-it:1.2.0:1', 'tpl:ship-it:1.2.0:2'],
      appliedAt: '2026-03-04T05:06:07.000Z',
      requiredCapabilities: ['docker', 'node'],
    });
    expect(out.result.requiredCapabilities).toEqual(['docker', 'node']);
    // The default branch is not known before a clone: `main`, said in a warning.
    expect(out.result.warnings).toEqual([expect.stringContaining('"main"')]);
  });

  test('the same input and clock give byte-identical output', () => {
    const a = JSON.stringify(
      expandTemplate(template(), { feature: 'x', depth: 'thorough' }, context, options),
    );
    const b = JSON.stringify(
      expandTemplate(template(), { depth: 'thorough', feature: 'x' }, context, options),
    );
    expect(a).toBe(b);
  });

  test('a value that looks like a placeholder is inserted as written, not expanded again', () => {
    const out = expandTemplate(template(), { feature: '{{context.requester}}' }, context, options);
    expect(out.ok && out.result.steps[0].title).toBe('Plan {{context.requester}}');
  });

  test.each([
    ['a missing required input', {}, 'inputs.feature'],
    ['an unknown input', { feature: 'x', colour: 'red' }, 'inputs.colour'],
    ['an enum value outside its options', { feature: 'x', depth: 'deep' }, 'inputs.depth'],
    ['a boolean input given text', { feature: 'x', dry: 'yes' }, 'inputs.dry'],
  ])('rejects %s, naming its path', (_what, inputs, path) => {
    expect(paths(expandTemplate(template(), inputs as Record<string, string>, context, options))).toEqual([
      path,
    ]);
  });

  test('rejects unresolved placeholders with their paths', () => {
    const t = template({
      steps: [
        { instructions: 'Use {{inputs.nope}} and {{context.secret}}' },
        { instructions: 'ok', skill: { id: 'x', args: { deep: { er: '{{whatever}}' } } } },
      ],
    });
    expect(paths(expandTemplate(t, { feature: 'x' }, context, options))).toEqual([
      'steps.0.instructions',
      'steps.0.instructions',
      'steps.1.skill.args.deep.er',
    ]);
    expect(unresolvedPlaceholders(t).map((i) => i.message)).toContain(
      'unresolved placeholder {{inputs.nope}}',
    );
  });

  test('rejects forbidden step keys (rows written around the schema)', () => {
    const t = template();
    (t.steps[0] as Record<string, unknown>).runtime = { mode: 'codex' };
    (t.steps[1] as Record<string, unknown>).id = 'mine';
    expect(paths(expandTemplate(t, { feature: 'x' }, context, options))).toEqual([
      'steps.0.runtime',
      'steps.1.id',
    ]);
  });

  test('rejects a step empty after expansion', () => {
    const t = template({ steps: [{ instructions: '{{inputs.feature}}' }, { instructions: 'fine' }] });
    expect(paths(expandTemplate(t, { feature: '  ' }, context, options))).toEqual(['inputs.feature']);
    const optional = template({
      inputs: [{ name: 'extra', label: 'Extra', type: 'text' }],
      steps: [{ instructions: ' {{inputs.extra}} ' }],
    });
    expect(paths(expandTemplate(optional, {}, context, options))).toEqual(['steps.0.instructions']);
  });

  test('rejects more steps than MOONMIND_PRESET_MAX_STEPS, and no steps at all', () => {
    const many = template({ steps: Array.from({ length: 26 }, (_, i) => ({ instructions: `step ${i}` })) });
    expect(paths(expandTemplate(many, { feature: 'x' }, context, options))).toEqual(['steps']);
    expect(expandTemplate(many, { feature: 'x' }, context, { ...options, maxSteps: 26 }).ok).toBe(true);
    const none = { ...template(), steps: [] };
    expect(paths(expandTemplate(none, { feature: 'x' }, context, options))).toEqual(['steps']);
  });

  test('a template naming the repository needs one', () => {
    const out = expandTemplate(template(), { feature: 'x' }, { ...context, repository: null }, options);
    expect(paths(out)).toEqual(['repository']);
  });
});

describe('save from task', () => {
  test('redacts credentials, breaks literal braces, offers repeated phrases as inputs', () => {
    const key = ['sk', 'proj', 'Ab1'.repeat(10)].join('-');
    const made = templateFromSteps(
      [
        { title: 'Fix', instructions: `Fix src/parser.ts with ${key} and keep "the old API" working {{x}}` },
        { title: 'Test', instructions: 'Test src/parser.ts so "the old API" still works' },
      ],
      { slug: 'fix-parser', title: 'Fix parser', description: '' },
    );
    if (!made.ok) throw new Error(JSON.stringify(made.issues));
    const text = JSON.stringify(made.body);
    expect(text).not.toContain(key);
    expect(made.body).toMatchObject({ scope: 'personal', version: '1.0.0' });
    expect(made.body.inputs.map((i) => i.default)).toEqual(['src/parser.ts', 'the old API']);
    expect(made.body.steps[1].instructions).toBe(
      'Test {{inputs.phrase_1}} so "{{inputs.phrase_2}}" still works',
    );
    expect(unresolvedPlaceholders(made.body)).toEqual([]);
    // Expanded with the defaults it says what the steps said.
    const out = expandTemplate(made.body, {}, context, options);
    expect(out.ok && out.result.steps[1].instructions).toBe(
      'Test src/parser.ts so "the old API" still works',
    );
  });

  test('refuses task-level step keys', () => {
    const made = templateFromSteps([{ instructions: 'x', publish: { mode: 'pr' } }], {
      slug: 'a',
      title: 'A',
      description: '',
    });
    expect(made.ok ? [] : made.issues.map((i) => i.path)).toEqual(['steps.0.publish']);
  });
});
