import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../support/stack.ts';

/**
 * Task presets in a real Chromium against the real stack (API with its seeded catalog, Temporal, Postgres):
 * the submit form's drawer and inputs dialog, append and replace, the applied-template record the server
 * checks, "save as template" from selected steps, and the Presets page (versions, favorite, new version,
 * delete). No worker: a submitted task only has to be accepted.
 */
const chromiumPath = '/usr/bin/chromium';
const shots = 'test-results/screenshots';
const uuidPath = /\/tasks\/queue\/([0-9a-f-]{36})$/;
const seed = 'plan-implement-validate-pr';

describe.skipIf(!existsSync(chromiumPath) && !process.env.CI)('task presets in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const expands: string[] = [];

  const stepIds = () => page.locator('[data-testid^="step-"][data-testid$="-template"]').count();
  const preview = async () => JSON.parse((await page.getByTestId('request-preview').textContent()) ?? '{}');
  const openDrawer = async () => {
    await page.getByTestId('open-presets').click();
    await page.getByTestId('preset-drawer').waitFor();
  };

  beforeAll(async () => {
    stack = await startStack();
    await mkdir(shots, { recursive: true });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const context = await browser.newContext({
      baseURL: stack.apiUrl,
      viewport: { width: 1280, height: 900 },
    });
    page = await context.newPage();
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname.endsWith(':expand')) expands.push(r.url());
    });
    await page.goto('/sign-in');
    await page.getByTestId('token-input').fill(stack.adminToken);
    await page.getByTestId('sign-in-submit').click();
    await page.waitForURL(/\/tasks$/);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('finds a seeded preset, checks its inputs, appends its steps and submits them with the applied record', async () => {
    await page.goto('/tasks/queue/new');
    await page.locator('#step-0-instructions').fill('Add a health endpoint');
    await page.getByTestId('field-repository').fill('octo/web');
    await page.getByTestId('field-publishMode').selectOption('none');
    await page.getByTestId('add-step').click();
    await page.locator('#step-1-instructions').fill('My own first step');
    await openDrawer();

    // Search narrows the catalog; the scope tabs filter it; favorites-only shows none yet.
    await page.getByTestId(`preset-item-${seed}`).waitFor();
    await page.getByTestId('preset-search').fill('refactor');
    await expect.poll(() => page.getByTestId(`preset-item-${seed}`).count()).toBe(0);
    await page.getByTestId('preset-item-refactor-safely').waitFor();
    await page.getByTestId('preset-search').fill('');
    await page.getByTestId('preset-scope-personal').click();
    await expect.poll(() => page.getByTestId(`preset-item-${seed}`).count()).toBe(0);
    await page.getByTestId('preset-scope-global').click();
    await page.getByTestId(`preset-item-${seed}`).waitFor();

    // A read-only preview: its steps.
    await page.getByTestId(`preset-open-${seed}`).click();
    await expect.poll(() => page.getByTestId('preset-preview-steps').locator('li').count()).toBe(4);
    await page.screenshot({ path: `${shots}/preset-drawer.png` });

    // The inputs dialog: the required input is checked before anything is sent.
    await page.getByTestId('preset-apply').click();
    await page.getByTestId('preset-inputs-dialog').waitFor();
    expect(await page.getByTestId('preset-input-test_command').inputValue()).toBe('npm test');
    expect(await page.getByTestId('preset-mode-append').isChecked()).toBe(true);
    await page.getByTestId('preset-apply-confirm').click();
    await expect.poll(() => page.getByTestId('error-preset-input-feature').textContent()).toBe('is required');
    expect(expands).toEqual([]);
    await page.getByTestId('preset-input-feature').fill('a /health endpoint');
    await page.getByTestId('preset-apply-confirm').click();

    // Appended after the form's own step, with their template ids; the drawer closes.
    await expect.poll(stepIds).toBe(4);
    expect(expands).toHaveLength(1);
    expect(await page.getByTestId('preset-drawer').count()).toBe(0);
    expect(await page.locator('#step-1-instructions').inputValue()).toBe('My own first step');
    expect(await page.locator('#step-2-id').inputValue()).toBe(`tpl:${seed}:1.0.0:0`);
    expect(await page.locator('#step-2-instructions').inputValue()).toContain('a /health endpoint');
    expect(await page.locator('#step-4-instructions').inputValue()).toContain('npm test');
    const body = await preview();
    expect(body.payload.task.appliedStepTemplates).toMatchObject([
      {
        slug: seed,
        version: '1.0.0',
        inputs: { feature: 'a /health endpoint', test_command: 'npm test' },
        stepIds: [0, 1, 2, 3].map((i) => `tpl:${seed}:1.0.0:${i}`),
      },
    ]);
    expect(await page.getByTestId('applied-templates').textContent()).toContain(`${seed}@1.0.0`);

    await page.getByTestId('submit-task').click();
    await page.waitForURL(uuidPath, { timeout: 20_000 });
    const jobId = uuidPath.exec(page.url())![1];
    const job = await (await stack.api(`/api/queue/jobs/${jobId}`)).json();
    expect(job.payload.task.appliedStepTemplates).toMatchObject([{ slug: seed, version: '1.0.0' }]);
    expect(job.payload.task.steps.map((s: { id: string }) => s.id)).toEqual([
      'step-1',
      ...[0, 1, 2, 3].map((i) => `tpl:${seed}:1.0.0:${i}`),
    ]);
  });

  it('shows recently used, and replaces the extra steps when asked', async () => {
    await page.goto('/tasks/queue/new');
    await page.locator('#step-0-instructions').fill('Tidy the parser');
    await page.getByTestId('field-repository').fill('octo/web');
    await page.getByTestId('add-step').click();
    await page.locator('#step-1-instructions').fill('Goes away');
    await openDrawer();
    await page.getByTestId('preset-recent').getByTestId(`preset-item-${seed}`).waitFor();

    await page.getByTestId('preset-open-refactor-safely').last().click();
    await page.getByTestId('preset-apply').click();
    await page.getByTestId('preset-input-target').fill('src/parser.ts');
    await page.getByTestId('preset-input-goal').fill('split the tokenizer out');
    await page.getByTestId('preset-mode-replace').check();
    await page.getByTestId('preset-apply-confirm').click();
    await expect.poll(stepIds).toBe(3);
    expect(await page.locator('#step-0-instructions').inputValue()).toBe('Tidy the parser');
    expect(await page.locator('#step-1-id').inputValue()).toBe('tpl:refactor-safely:1.0.0:0');
    expect(await page.getByText('Goes away').count()).toBe(0);
    const body = await preview();
    expect(body.payload.task.steps).toHaveLength(3);
    expect(body.payload.task.appliedStepTemplates.map((r: { slug: string }) => r.slug)).toEqual([
      'refactor-safely',
    ]);
  });

  it('saves selected steps of the form as a personal template', async () => {
    await page.goto('/tasks/queue/new');
    await page.locator('#step-0-instructions').fill('Objective');
    await page.getByTestId('add-step').click();
    await page.locator('#step-1-title').fill('Lint');
    await page.locator('#step-1-instructions').fill('Run the linters and fix what they report');
    await page.getByTestId('add-step').click();
    await page.locator('#step-2-instructions').fill('Not this one');
    expect(await page.getByTestId('save-as-template').isDisabled()).toBe(true);
    await page.getByTestId('select-step-1').check();
    await page.getByTestId('save-as-template').click();
    await page.getByTestId('save-template-dialog').waitFor();
    await page.getByTestId('save-template-slug').fill('Bad Slug');
    await page.getByTestId('save-template-title').fill('Lint and fix');
    await page.getByTestId('save-template-confirm').click();
    await expect.poll(() => page.getByTestId('error-save-slug').textContent()).toContain('lowercase');
    await page.getByTestId('save-template-slug').fill('lint-and-fix');
    await page.getByTestId('save-template-description').fill('Linters, then fixes');
    await page.getByTestId('save-template-confirm').click();
    await expect
      .poll(() => page.getByTestId('save-template-created-id').textContent())
      .toBe('lint-and-fix@1.0.0');
    await page.screenshot({ path: `${shots}/preset-saved.png` });

    const saved = await (await stack.api('/api/task-step-templates/lint-and-fix/versions/1.0.0')).json();
    expect(saved).toMatchObject({
      scope: 'personal',
      title: 'Lint and fix',
      description: 'Linters, then fixes',
    });
    expect(saved.steps).toHaveLength(1);
    expect(saved.steps[0]).toMatchObject({
      title: 'Lint',
      instructions: 'Run the linters and fix what they report',
    });
  });

  it('browses the Presets page: versions, favorite, a new version, delete', async () => {
    await page.getByTestId('save-template-open').click();
    await page.waitForURL(/\/tasks\/presets\/lint-and-fix/);
    await page.getByTestId('preset-detail').waitFor();
    await page.getByTestId('preset-version-1.0.0').waitFor();

    // Favorite: the catalog's favorites filter finds it.
    await page.getByTestId('preset-detail-favorite').click();
    await expect
      .poll(() => page.getByTestId('preset-detail-favorite').getAttribute('aria-pressed'))
      .toBe('true');
    const favorites = await (await stack.api('/api/task-step-templates?favorites=true')).json();
    expect(favorites.items.map((t: { slug: string }) => t.slug)).toContain('lint-and-fix');
    await page.getByTestId('preset-favorites-only').check();
    await page.getByTestId('presets-list').getByTestId('preset-item-lint-and-fix').waitFor();
    await expect.poll(() => page.getByTestId('presets-list').locator('li').count()).toBe(1);
    await page.getByTestId('preset-favorites-only').uncheck();

    // A new version, seeded from the latest, the version bumped.
    await page.getByTestId('preset-new-version').click();
    await page.getByTestId('template-editor').waitFor();
    expect(await page.getByTestId('template-version').inputValue()).toBe('1.1.0');
    expect(await page.getByTestId('template-title').inputValue()).toBe('Lint and fix');
    expect(await page.getByTestId('template-slug').getAttribute('readonly')).not.toBeNull();
    await page.getByTestId('template-title').fill('Lint, fix and format');
    await page
      .getByTestId('tpl-step-0-instructions')
      .fill('Run the linters and the formatter; fix what they report');
    await page.getByTestId('template-save').click();
    await page.getByTestId('preset-version-1.1.0').waitFor();
    expect(await page.getByTestId('preset-version-1.0.0').count()).toBe(1);
    expect(await page.getByTestId('preset-preview').textContent()).toContain('Lint, fix and format');
    // An older version stays readable as it was.
    await page.getByTestId('preset-version-1.0.0').getByRole('button').click();
    await expect.poll(() => page.getByTestId('preset-preview').textContent()).toContain('lint-and-fix@1.0.0');
    expect(await page.getByTestId('preset-preview').textContent()).toContain('Lint and fix');
    await page.screenshot({ path: `${shots}/presets-page.png`, fullPage: true });

    // Delete (soft): gone from the catalog.
    await page.getByTestId('preset-delete').click();
    await page.getByTestId('preset-delete-confirm').click();
    await page.waitForURL(/\/tasks\/presets$/);
    await expect.poll(() => page.getByTestId('preset-item-lint-and-fix').count()).toBe(0);
    const list = await (await stack.api('/api/task-step-templates')).json();
    expect(list.items.map((t: { slug: string }) => t.slug)).not.toContain('lint-and-fix');
    // The seeded global ones are there; the nav leads here.
    await page.getByTestId('nav-presets').click();
    await page.getByTestId(`preset-item-${seed}`).waitFor();
  });
});
