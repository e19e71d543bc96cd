import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadSeedPresets } from '../../api/presets/seeds.ts';
import { startTestApi, type TestApi, type Who } from './harness.ts';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(async () => {
  await t?.close();
});

const base = '/api/task-step-templates';
const call = async (as: Who, path: string, method = 'GET', json?: unknown) => {
  const res = await t.call(path, { method, as, json });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
};
const body = (slug: string, extra: Record<string, unknown> = {}) => ({
  slug,
  scope: 'personal',
  title: `Template ${slug}`,
  inputs: [{ name: 'what', label: 'What', type: 'text', required: true }],
  steps: [{ title: 'Do', instructions: 'Do {{inputs.what}}' }],
  tags: ['testing'],
  requiredCapabilities: ['docker'],
  ...extra,
});
const issuePaths = (b: { error: { issues?: { path: string }[] } }) => b.error.issues?.map((i) => i.path);
const userId = async (name: string) =>
  ((await t.db.sql`SELECT id FROM users WHERE name = ${name}`)[0] as { id: string }).id;

describe('the catalog', () => {
  test('the seed presets are there, each with inputs, and loading them again adds nothing', async () => {
    const list = await call('viewer', `${base}?scope=global`);
    expect(list.status).toBe(200);
    const slugs = list.body.items.map((i: { slug: string }) => i.slug);
    expect(slugs).toEqual(
      expect.arrayContaining([
        'plan-implement-validate-pr',
        'refactor-safely',
        'security-sweep',
        'dependency-upgrade',
      ]),
    );
    for (const item of list.body.items) expect(item.inputs.length).toBeGreaterThan(0);
    expect(await loadSeedPresets(t.db.sql)).toEqual([]);
  });

  test('a released version is immutable: the same slug and version again, or a lower one, is a 409; a higher version is fine', async () => {
    expect((await call('operator', base, 'POST', body('immutable'))).status).toBe(201);
    const again = await call('operator', base, 'POST', body('immutable', { title: 'Changed' }));
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
    expect(
      (await call('operator', base, 'POST', body('immutable', { version: '1.1.0', title: 'Changed' })))
        .status,
    ).toBe(201);
    // A change is a newer version: one below the latest is refused too.
    const older = await call('operator', base, 'POST', body('immutable', { version: '1.0.5' }));
    expect(older.status).toBe(409);
    expect(older.body.error.message).toMatch(/not above the latest/);
    const detail = await call('operator', `${base}/immutable`);
    expect(detail.body).toMatchObject({ version: '1.1.0', title: 'Changed', versions: ['1.1.0', '1.0.0'] });
    const old = await call('operator', `${base}/immutable/versions/1.0.0`);
    expect(old.body).toMatchObject({ version: '1.0.0', title: 'Template immutable' });
    expect((await call('operator', `${base}/immutable/versions/9.9.9`)).status).toBe(404);
  });

  test('a template with a placeholder naming nothing is refused at creation, with its path', async () => {
    const res = await call(
      'operator',
      base,
      'POST',
      body('bad', { steps: [{ instructions: 'Do {{inputs.nope}}' }] }),
    );
    expect(res.status).toBe(400);
    expect(issuePaths(res.body)).toEqual(['steps.0.instructions']);
  });

  test("personal templates are their owner's alone", async () => {
    expect((await call('operator', base, 'POST', body('private'))).status).toBe(201);
    expect((await call('admin', `${base}/private`)).status).toBe(404);
    expect((await call('admin', `${base}/private:expand`, 'POST', { inputs: { what: 'x' } })).status).toBe(
      404,
    );
    const list = await call('admin', base);
    expect(list.body.items.map((i: { slug: string }) => i.slug)).not.toContain('private');
    expect((await call('viewer', base, 'POST', body('viewer-own'))).status).toBe(403);
  });

  test('global templates: admins change them, everyone uses them', async () => {
    expect((await call('operator', base, 'POST', body('house', { scope: 'global' }))).status).toBe(403);
    expect((await call('admin', base, 'POST', body('house', { scope: 'global' }))).status).toBe(201);
    const used = await call('viewer', `${base}/house:expand`, 'POST', { inputs: { what: 'lunch' } });
    expect(used.status).toBe(200);
    expect(used.body.steps[0]).toMatchObject({ id: 'tpl:house:1.0.0:0', instructions: 'Do lunch' });
    expect((await call('operator', `${base}/house`, 'DELETE')).status).toBe(403);
  });

  test('team templates: members change and use them, others do not see them', async () => {
    const operator = await userId('operator-user');
    expect((await call('operator', `/api/admin/teams/core/members/${operator}`, 'PUT')).status).toBe(403);
    expect((await call('admin', `/api/admin/teams/core/members/${operator}`, 'PUT')).status).toBe(204);
    const teams = await call('admin', '/api/admin/teams');
    expect(teams.body.items).toContainEqual({
      team: 'core',
      members: [{ id: operator, name: 'operator-user' }],
    });
    expect((await call('operator', base, 'POST', body('team-thing', { scope: 'team' }))).status).toBe(400);
    expect(
      (await call('operator', base, 'POST', body('team-thing', { scope: 'team', team: 'other' }))).status,
    ).toBe(403);
    expect(
      (await call('operator', base, 'POST', body('team-thing', { scope: 'team', team: 'core' }))).status,
    ).toBe(201);
    expect((await call('viewer', `${base}/team-thing`)).status).toBe(404);
    // The admin is no member: it neither sees nor deletes it.
    expect((await call('admin', `${base}/team-thing`, 'DELETE')).status).toBe(404);
    const viewer = await userId('viewer-user');
    await call('admin', `/api/admin/teams/core/members/${viewer}`, 'PUT');
    expect((await call('viewer', `${base}/team-thing`)).body).toMatchObject({ scope: 'team', team: 'core' });
    expect((await call('admin', `/api/admin/teams/core/members/${viewer}`, 'DELETE')).status).toBe(204);
    expect((await call('viewer', `${base}/team-thing`)).status).toBe(404);
    expect((await call('operator', `${base}/team-thing`, 'DELETE')).status).toBe(204);
  });

  test('a slug in several scopes names the most specific one unless the query says', async () => {
    await call('admin', base, 'POST', body('shared', { scope: 'global', title: 'Global one' }));
    await call('operator', base, 'POST', body('shared', { title: 'My own' }));
    expect((await call('operator', `${base}/shared`)).body.title).toBe('My own');
    expect((await call('operator', `${base}/shared?scope=global`)).body.title).toBe('Global one');
  });

  test('favorites come first; expansion records recent use; delete is soft and the version stays taken', async () => {
    await call('operator', base, 'POST', body('zz-favorite'));
    expect((await call('operator', `${base}/zz-favorite:favorite`, 'POST')).status).toBe(204);
    const list = await call('operator', base);
    expect(list.body.items[0]).toMatchObject({ slug: 'zz-favorite', favorite: true, lastUsedAt: null });
    const favs = await call('operator', `${base}?favorites=true`);
    expect(favs.body.items.map((i: { slug: string }) => i.slug)).toEqual(['zz-favorite']);
    await call('operator', `${base}/zz-favorite:expand`, 'POST', { inputs: { what: 'x' } });
    expect((await call('operator', `${base}/zz-favorite`)).body.lastUsedAt).toEqual(expect.any(String));
    expect((await call('operator', `${base}/zz-favorite:favorite`, 'DELETE')).status).toBe(204);
    expect((await call('operator', `${base}/zz-favorite`)).body.favorite).toBe(false);

    expect((await call('operator', `${base}/zz-favorite`, 'DELETE')).status).toBe(204);
    expect((await call('operator', `${base}/zz-favorite`)).status).toBe(404);
    expect((await call('operator', base, 'POST', body('zz-favorite'))).status).toBe(409);
    const [row] = await t.db.sql`SELECT deleted_at FROM step_templates WHERE slug = 'zz-favorite'`;
    expect(row.deleted_at).toBeInstanceOf(Date);
  });

  test('filters: text and tag', async () => {
    const q = await call('viewer', `${base}?q=refactor`);
    expect(q.body.items.map((i: { slug: string }) => i.slug)).toEqual(['refactor-safely']);
    const tag = await call('viewer', `${base}?tag=security`);
    expect(tag.body.items.map((i: { slug: string }) => i.slug)).toEqual(['security-sweep']);
  });

  test('expansion rejects bad inputs with their paths, and repository context comes from the server', async () => {
    const bad = await call('viewer', `${base}/security-sweep:expand`, 'POST', {
      inputs: { depth: 'deep', colour: 'red' },
    });
    expect(bad.status).toBe(400);
    expect(issuePaths(bad.body)?.sort()).toEqual(['inputs.colour', 'inputs.depth']);
    const plan = await call('viewer', `${base}/plan-implement-validate-pr:expand`, 'POST', {
      inputs: { feature: 'search' },
      repository: 'https://github.com/acme/widgets.git',
    });
    expect(plan.status).toBe(200);
    expect(plan.body.steps[0].instructions).toContain('in acme/widgets');
    const noRepo = await call('viewer', `${base}/plan-implement-validate-pr:expand`, 'POST', {
      inputs: { feature: 'x' },
    });
    expect(issuePaths(noRepo.body)).toEqual(['repository']);
  });
});

describe('save from task', () => {
  test('selected steps of a job become a personal template 1.0.0', async () => {
    const submitted = await call('operator', '/api/queue/jobs', 'POST', {
      type: 'task',
      payload: {
        repository: 'acme/widgets',
        task: {
          instructions: 'Tidy up',
          publish: { mode: 'branch' },
          steps: [
            { id: 'a', title: 'One', instructions: 'Lint lib/tidy.ts' },
            { id: 'b', title: 'Two', instructions: 'Test lib/tidy.ts' },
            { id: 'c', title: 'Three', instructions: 'Document it' },
          ],
        },
      },
    });
    const saved = await call('operator', `${base}/save-from-task`, 'POST', {
      slug: 'tidy',
      title: 'Tidy',
      jobId: submitted.body.id,
      stepIndexes: [0, 1],
    });
    expect(saved.status).toBe(201);
    expect(saved.body).toMatchObject({ slug: 'tidy', version: '1.0.0', scope: 'personal' });
    expect(saved.body.inputs).toEqual([
      expect.objectContaining({ name: 'phrase_1', default: 'lib/tidy.ts' }),
    ]);
    expect(saved.body.steps.map((s: { instructions: string }) => s.instructions)).toEqual([
      'Lint {{inputs.phrase_1}}',
      'Test {{inputs.phrase_1}}',
    ]);
    const outOfRange = await call('operator', `${base}/save-from-task`, 'POST', {
      slug: 'tidy-2',
      title: 'Tidy',
      jobId: submitted.body.id,
      stepIndexes: [5],
    });
    expect(issuePaths(outOfRange.body)).toEqual(['stepIndexes.0']);
  });
});

describe('a submission carrying applied templates', () => {
  const submitExpanded = async (mutate: (task: Record<string, unknown>) => void = () => {}) => {
    const expanded = await call('operator', `${base}/security-sweep:expand`, 'POST', {
      inputs: { area: 'src' },
    });
    const task: Record<string, unknown> = {
      instructions: 'Sweep it',
      publish: { mode: 'branch' },
      steps: [{ id: 'mine', instructions: 'first my own' }, ...expanded.body.steps],
      appliedStepTemplates: [{ ...expanded.body.appliedTemplate, requiredCapabilities: ['made-up'] }],
    };
    mutate(task);
    return call('operator', '/api/queue/jobs', 'POST', {
      type: 'task',
      payload: { repository: 'acme/widgets', task },
    });
  };

  test("is accepted with the catalog's capabilities and gets a task.template.applied event", async () => {
    await t.db
      .sql`UPDATE step_templates SET required_capabilities = '{docker}' WHERE slug = 'security-sweep'`;
    const res = await submitExpanded();
    expect(res.status).toBe(201);
    // The client's "made-up" capability is replaced by the template's own.
    expect(res.body.payload.requiredCapabilities).toEqual(['codex', 'docker', 'git']);
    const events = await call('operator', `/api/queue/jobs/${res.body.id}/events`);
    const applied = events.body.items.filter((e: { type: string }) => e.type === 'task.template.applied');
    expect(applied).toHaveLength(1);
    expect(applied[0].payload).toMatchObject({
      slug: 'security-sweep',
      version: '1.0.0',
      stepIds: ['tpl:security-sweep:1.0.0:0', 'tpl:security-sweep:1.0.0:1'],
    });
  });

  test('is refused when the step ids do not match or the version does not exist', async () => {
    const dropped = await submitExpanded((task) => {
      (task.steps as unknown[]).pop();
    });
    expect(dropped.status).toBe(400);
    expect(issuePaths(dropped.body)).toEqual(['payload.task.appliedStepTemplates.0.stepIds']);
    const unknown = await submitExpanded((task) => {
      (task.appliedStepTemplates as { version: string }[])[0].version = '9.0.0';
    });
    expect(issuePaths(unknown.body)).toEqual(['payload.task.appliedStepTemplates.0']);
  });
});
