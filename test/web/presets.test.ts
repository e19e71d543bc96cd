import { describe, expect, it } from 'vitest';
import type { ExpandResult, Template, TemplateInput } from '../../contracts/presets.ts';
import { normalizeJob } from '../../contracts/task.ts';
import { readDetail } from '../../web/src/api/presets.ts';
import { appliedRecord, applyExpanded, draftFromExpanded } from '../../web/src/lib/preset-apply.ts';
import {
  checkInputs,
  controlFor,
  initialValues,
  inputsForExpand,
  normalizedInputs,
} from '../../web/src/lib/preset-inputs.ts';
import { allTags, latestOnly, recentlyUsed, sortTemplates } from '../../web/src/lib/preset-list.ts';
import { buildRequest, checkForm, emptyForm, newStep } from '../../web/src/lib/task-form.ts';
import {
  bodyFromDraft,
  bumpVersion,
  draftFromTemplate,
  emptyDraft,
  saveFromFormRequest,
} from '../../web/src/lib/template-draft.ts';

const input = (over: Partial<TemplateInput> & Pick<TemplateInput, 'name' | 'type'>): TemplateInput => ({
  label: over.name,
  required: false,
  default: null,
  options: [],
  ...over,
});

const template = (over: Partial<Template> = {}): Template => ({
  slug: 'plan-implement',
  version: '1.0.0',
  scope: 'global',
  team: null,
  title: 'Plan, implement, validate',
  description: '',
  inputs: [],
  steps: [{ title: 'Plan', instructions: 'Plan it', skill: null, annotations: {} }],
  tags: [],
  requiredCapabilities: [],
  isActive: true,
  owner: null,
  createdBy: null,
  createdAt: '2025-01-01T00:00:00Z',
  updatedAt: '2025-01-01T00:00:00Z',
  deletedAt: null,
  favorite: false,
  lastUsedAt: null,
  ...over,
});

const expanded = (slug = 'plan-implement', version = '1.0.0', n = 2): ExpandResult => {
  const ids = Array.from({ length: n }, (_, i) => `tpl:${slug}:${version}:${i}`);
  return {
    steps: ids.map((id, i) => ({
      id,
      title: `T${i}`,
      instructions: `do ${i}`,
      skill: i === 1 ? { id: 'tester', args: { level: 2 } } : null,
    })),
    appliedTemplate: {
      slug,
      version,
      inputs: { area: 'api' },
      stepIds: ids,
      appliedAt: '2025-02-01T00:00:00Z',
      requiredCapabilities: ['Docker'],
    },
    requiredCapabilities: ['git', 'docker', 'codex'],
    warnings: [],
  };
};

describe('inputs dialog', () => {
  const inputs = [
    input({ name: 'area', type: 'text', required: true }),
    input({ name: 'notes', type: 'markdown', default: 'n/a' }),
    input({ name: 'level', type: 'enum', options: ['low', 'high'], required: true, default: 'low' }),
    input({ name: 'flavor', type: 'enum', options: ['a', 'b'] }),
    input({ name: 'dry', type: 'boolean', default: true }),
    input({ name: 'owner', type: 'user' }),
    input({ name: 'path', type: 'repo_path' }),
  ];

  it('picks a control per input type', () => {
    expect(inputs.map((i) => controlFor(i.type))).toEqual([
      'text',
      'textarea',
      'select',
      'select',
      'checkbox',
      'text',
      'text',
    ]);
    expect(controlFor('textarea')).toBe('textarea');
    expect(controlFor('team')).toBe('text');
  });

  it('starts from the defaults', () => {
    expect(initialValues(inputs)).toEqual({
      area: '',
      notes: 'n/a',
      level: 'low',
      flavor: '',
      dry: true,
      owner: '',
      path: '',
    });
  });

  it('requires required inputs and enum values among the options', () => {
    const values = { ...initialValues(inputs), level: 'extreme', flavor: 'c' };
    expect(checkInputs(inputs, values)).toEqual({
      area: 'is required',
      level: 'must be one of low, high',
      flavor: 'must be one of a, b',
    });
    expect(checkInputs(inputs, { ...initialValues(inputs), area: '   ' })).toEqual({ area: 'is required' });
    expect(checkInputs(inputs, { ...initialValues(inputs), area: 'api' })).toEqual({});
  });

  it('sends every input, booleans as booleans', () => {
    expect(inputsForExpand(inputs, { area: 'api', dry: false, level: 'high' })).toEqual({
      area: 'api',
      notes: '',
      level: 'high',
      flavor: '',
      dry: false,
      owner: '',
      path: '',
    });
  });

  it("fills the contract's defaults of a template's inputs", () => {
    const raw = { name: 'x', label: 'X', type: 'text' } as unknown as TemplateInput;
    expect(normalizedInputs({ inputs: [raw] })).toEqual([
      { name: 'x', label: 'X', type: 'text', required: false, default: null, options: [] },
    ]);
  });
});

describe('applying an expansion', () => {
  const formWith = (...extra: string[]) => {
    const form = emptyForm({ defaultRepository: 'octo/demo' });
    form.steps[0].instructions = 'Objective';
    for (const text of extra) form.steps.push({ ...newStep(), instructions: text });
    return form;
  };

  it('turns expanded steps into drafts that keep their ids', () => {
    const d = draftFromExpanded(expanded().steps[1]);
    expect(d).toMatchObject({ id: 'tpl:plan-implement:1.0.0:1', title: 'T1', skillId: 'tester' });
    expect(JSON.parse(d.skillArgs)).toEqual({ level: 2 });
  });

  it('records the template with the union of its capabilities', () => {
    expect(appliedRecord(expanded())).toEqual({
      slug: 'plan-implement',
      version: '1.0.0',
      inputs: { area: 'api' },
      stepIds: ['tpl:plan-implement:1.0.0:0', 'tpl:plan-implement:1.0.0:1'],
      appliedAt: '2025-02-01T00:00:00Z',
      requiredCapabilities: ['codex', 'docker', 'git'],
    });
  });

  it('appends after the extra steps by default, dropping blank ones', () => {
    const form = formWith('mine');
    form.steps.push(newStep());
    const next = applyExpanded(form, expanded(), 'append');
    expect(next.steps.map((s) => s.id || s.instructions)).toEqual([
      'Objective',
      'mine',
      'tpl:plan-implement:1.0.0:0',
      'tpl:plan-implement:1.0.0:1',
    ]);
    expect(next.appliedTemplates.map((r) => r.slug)).toEqual(['plan-implement']);
  });

  it('replaces the extra steps and earlier records, keeping the objective', () => {
    const first = applyExpanded(formWith('mine'), expanded('other', '2.0.0', 1), 'append');
    const next = applyExpanded(first, expanded(), 'replace');
    expect(next.steps.map((s) => s.id || s.instructions)).toEqual([
      'Objective',
      'tpl:plan-implement:1.0.0:0',
      'tpl:plan-implement:1.0.0:1',
    ]);
    expect(next.appliedTemplates.map((r) => r.slug)).toEqual(['plan-implement']);
  });

  it('applying the same template again swaps its earlier steps (no duplicate ids)', () => {
    const once = applyExpanded(formWith(), expanded('plan-implement', '1.0.0', 3), 'append');
    const twice = applyExpanded(once, expanded('plan-implement', '1.1.0', 2), 'append');
    expect(twice.steps.slice(1).map((s) => s.id)).toEqual([
      'tpl:plan-implement:1.1.0:0',
      'tpl:plan-implement:1.1.0:1',
    ]);
    expect(twice.appliedTemplates.map((r) => r.version)).toEqual(['1.1.0']);
  });

  it('sends task.appliedStepTemplates for the steps still in the form, and the server contract accepts it', () => {
    const form = formWith();
    const next = applyExpanded(form, expanded(), 'append');
    form.steps = next.steps;
    form.appliedTemplates = next.appliedTemplates;
    // The user removed the first template step.
    form.steps.splice(1, 1);
    const { body } = buildRequest(form);
    const task = (body.payload as { task: Record<string, unknown> }).task;
    expect(task.steps).toEqual([
      {
        id: 'tpl:plan-implement:1.0.0:1',
        title: 'T1',
        instructions: 'do 1',
        skill: { id: 'tester', args: { level: 2 } },
      },
    ]);
    expect(task.appliedStepTemplates).toEqual([
      { ...appliedRecord(expanded()), stepIds: ['tpl:plan-implement:1.0.0:1'] },
    ]);
    expect(checkForm(form, { defaultRuntime: 'codex' })).toEqual({});
    const result = normalizeJob(body, { defaultRuntime: 'codex' });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.job.payload.requiredCapabilities).toContain('docker');
      expect(result.job.payload.task.appliedStepTemplates).toHaveLength(1);
    }
  });

  it("lists a record's step ids in the form's order (the server wants the job's tpl steps exactly, in order)", () => {
    const form = formWith('mine');
    const next = applyExpanded(form, expanded('plan-implement', '1.0.0', 3), 'append');
    form.steps = next.steps;
    form.appliedTemplates = next.appliedTemplates;
    [form.steps[2], form.steps[4]] = [form.steps[4], form.steps[2]];
    const task = (
      buildRequest(form).body.payload as { task: { appliedStepTemplates: { stepIds: string[] }[] } }
    ).task;
    expect(task.appliedStepTemplates[0].stepIds).toEqual([
      'tpl:plan-implement:1.0.0:2',
      'tpl:plan-implement:1.0.0:1',
      'tpl:plan-implement:1.0.0:0',
    ]);
  });

  it('leaves the body as before when no template was applied', () => {
    const task = (buildRequest(formWith('x')).body.payload as { task: Record<string, unknown> }).task;
    expect('appliedStepTemplates' in task).toBe(false);
  });
});

describe('template drafts', () => {
  it('bumps versions', () => {
    expect(bumpVersion('1.2.3')).toBe('1.3.0');
    expect(bumpVersion('1.2.3', 'patch')).toBe('1.2.4');
    expect(bumpVersion('1.2.3', 'major')).toBe('2.0.0');
    expect(bumpVersion('junk')).toBe('1.0.0');
  });

  it('seeds a new version from the latest and builds a valid body', () => {
    const t = template({
      scope: 'team',
      team: 'core',
      tags: ['ci', 'safe'],
      inputs: [input({ name: 'area', type: 'text', required: true })],
      steps: [{ title: 'A', instructions: 'a', skill: { id: 'x', args: { n: 1 } }, annotations: {} }],
    });
    const draft = draftFromTemplate(t);
    expect(draft).toMatchObject({ slug: 'plan-implement', version: '1.1.0', team: 'core', tags: 'ci, safe' });
    const built = bodyFromDraft(draft);
    expect('body' in built && built.body).toMatchObject({
      slug: 'plan-implement',
      version: '1.1.0',
      scope: 'team',
      team: 'core',
      tags: ['ci', 'safe'],
      steps: [{ title: 'A', instructions: 'a', skill: { id: 'x', args: { n: 1 } } }],
    });
  });

  it('maps the contract issues onto fields', () => {
    const draft = { ...emptyDraft('team'), slug: 'Bad Slug', version: '1.0', inputs: '{' };
    draft.steps = [{ title: '', instructions: '', skillId: '', skillArgs: '[1]' }];
    const built = bodyFromDraft(draft);
    expect('errors' in built && built.errors).toMatchObject({
      slug: expect.any(String),
      version: 'must be semver, e.g. 1.0.0',
      inputs: 'must be valid JSON',
      title: expect.any(String),
      team: 'a team template needs its team',
      'steps.0.skillArgs': 'must be a JSON object',
      'steps.0.instructions': 'a step needs instructions or a skill',
    });
  });

  it('builds "save as template" from selected form steps (no ids)', () => {
    const steps = [
      { ...newStep(), id: 'tpl:a:1.0.0:0', title: 'Plan', instructions: 'Plan it' },
      { ...newStep(), skillId: 'tester', skillArgs: '{"n":1}' },
    ];
    expect(saveFromFormRequest({ slug: 'my-flow', title: 'Mine', description: '' }, steps)).toEqual({
      body: {
        slug: 'my-flow',
        title: 'Mine',
        description: '',
        steps: [{ title: 'Plan', instructions: 'Plan it' }, { skill: { id: 'tester', args: { n: 1 } } }],
      },
    });
    const bad = saveFromFormRequest({ slug: 'x', title: ' ', description: '' }, []);
    expect('errors' in bad && Object.keys(bad.errors).sort()).toEqual(['_form', 'steps', 'title']);
  });
});

describe('catalog order', () => {
  const list = [
    template({ slug: 'b', title: 'B' }),
    template({ slug: 'a', title: 'A' }),
    template({ slug: 'used', title: 'Z', lastUsedAt: '2025-03-01T00:00:00Z', tags: ['x'] }),
    template({ slug: 'fav', title: 'Y', favorite: true, tags: ['y', 'x'] }),
    template({ slug: 'a', title: 'A', version: '1.2.0' }),
  ];
  it('puts favorites first, then recently used, then by title; one row per template', () => {
    expect(sortTemplates(latestOnly(list)).map((t) => `${t.slug}@${t.version}`)).toEqual([
      'fav@1.0.0',
      'used@1.0.0',
      'a@1.2.0',
      'b@1.0.0',
    ]);
    expect(recentlyUsed(list).map((t) => t.slug)).toEqual(['used']);
    expect(allTags(list)).toEqual(['x', 'y']);
  });
});

describe("reading a template's versions", () => {
  it('reads the latest with its version names', () => {
    const latest = template({ version: '1.2.0' });
    expect(readDetail({ ...latest, versions: ['1.0.0', '1.2.0', '1.10.0'] })).toEqual({
      latest,
      versions: ['1.10.0', '1.2.0', '1.0.0'],
    });
  });
  it('reads a list of versions, newest first', () => {
    const v = (version: string) => template({ version });
    const d = readDetail({ items: [v('1.0.0'), v('2.0.0'), v('1.5.0')] });
    expect(d?.latest.version).toBe('2.0.0');
    expect(d?.versions).toEqual(['2.0.0', '1.5.0', '1.0.0']);
  });
  it('reads a bare template, and nothing from junk', () => {
    expect(readDetail(template())?.versions).toEqual(['1.0.0']);
    expect(readDetail(null)).toBeNull();
    expect(readDetail({ items: [] })).toBeNull();
  });
});
