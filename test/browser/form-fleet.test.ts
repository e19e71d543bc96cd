import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../scripts/ports.ts';
import { type Stack, startStack } from '../support/stack.ts';

/**
 * The submit form knows the fleet: a stack whose only worker serves codex and git (no forge token, so no
 * gh). The form marks what no live worker serves and why, defaults to a publish mode a worker serves,
 * names the job by its title or objective, redacts the preview and sums up its errors.
 */
const chromiumPath = '/usr/bin/chromium';
const shots = 'test-results/screenshots';
const uuidPath = /\/tasks\/queue\/([0-9a-f-]{36})$/;

describe.skipIf(!existsSync(chromiumPath) && !process.env.CI)('the submit form and the fleet', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const preview = async () => (await page.getByTestId('request-preview').textContent()) ?? '';

  beforeAll(async () => {
    stack = await startStack();
    await stack.startWorker({ pool: 'solo', capabilities: ['codex', 'git'] });
    await waitFor(
      'the worker to be live',
      async () => {
        const fleet = await (await stack.api('/api/tasks/fleet')).json();
        return fleet.pools?.length === 1;
      },
      60_000,
      300,
    );
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
    await page.goto('/sign-in');
    await page.getByTestId('token-input').fill(stack.adminToken);
    await page.getByTestId('sign-in-submit').click();
    await page.waitForURL(/\/tasks$/);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('the API says what the live worker serves', async () => {
    const fleet = await (await stack.api('/api/tasks/fleet?repository=octo/web')).json();
    expect(fleet.pools).toEqual([
      { pool: 'solo', capabilities: ['codex', 'git'], jobTypes: ['task'], repositories: ['*'] },
    ]);
    expect(fleet.publishModes[0]).toEqual({
      value: 'pr',
      needs: ['git', 'gh'],
      served: false,
      reason: 'no worker serves gh: add a forge token or choose branch',
    });
    expect(fleet.runtimes.map((r: { served: boolean }) => r.served)).toEqual([true, false, false, false]);
  });

  it('marks pr with the reason, defaults to branch, and keeps a choice the user made', async () => {
    await page.goto('/tasks/queue/new');
    const publish = page.getByTestId('field-publishMode');
    await expect.poll(() => publish.inputValue()).toBe('branch');
    expect(await publish.locator('option[value="pr"]').getAttribute('data-served')).toBe('false');
    expect(await publish.locator('option[value="pr"]').textContent()).toBe('pr (no live worker)');
    expect(await publish.locator('option[value="branch"]').textContent()).toBe('branch');
    expect(await page.getByTestId('field-runtime').inputValue()).toBe('codex');
    expect(await page.getByTestId('unserved-publishMode').count()).toBe(0);

    await publish.selectOption('pr');
    await expect
      .poll(() => page.getByTestId('unserved-publishMode').textContent())
      .toBe('no worker serves gh: add a forge token or choose branch');
    await page.getByTestId('field-runtime').selectOption('gemini');
    expect(await page.getByTestId('unserved-runtime').textContent()).toBe('no worker serves gemini');
    await expect
      .poll(() => page.getByTestId('unserved-combination').textContent())
      .toBe('This task would wait: no worker serves gemini+gh: add a forge token or choose branch.');
    // Typing a repository re-marks the choices, and leaves the user's own picks alone.
    await page.getByTestId('field-repository').fill('octo/web');
    await page.waitForTimeout(200);
    expect(await publish.inputValue()).toBe('pr');
    await page.screenshot({ path: `${shots}/form-fleet-marked.png`, fullPage: true });
  });

  it('names the job by its objective unless titled, says how many steps run, and redacts the preview', async () => {
    await page.goto('/tasks/queue/new');
    await expect.poll(() => page.getByTestId('field-publishMode').inputValue()).toBe('branch');
    await page.locator('#step-0-instructions').fill('Ship the parser\nwith tests');
    expect(await page.getByTestId('field-title').getAttribute('placeholder')).toBe('Ship the parser');
    expect(await page.getByTestId('steps-count').textContent()).toBe('1 step will run: the objective.');
    await page.getByTestId('add-step').click();
    await page.locator('#step-1-title').fill('Write the tests');
    await page.locator('#step-1-instructions').fill('tests first');
    expect(await page.locator('[data-testid="step-1"] h3').textContent()).toBe('Extra step 1');
    expect(await page.getByTestId('steps-count').textContent()).toBe(
      '1 step will run: the extra steps, each with the objective as its context.',
    );

    const secret = ['s3cr3t', 'Passw0rd', 'x9'].join('');
    await page.getByTestId('field-repository').fill(`https://deploy:${secret}@git.example.com/octo/web`);
    await expect.poll(preview).toContain('[REDACTED]');
    expect(await preview()).not.toContain(secret);

    await page.getByTestId('field-repository').fill('octo/web');
    await page.getByTestId('submit-task').click();
    await page.waitForURL(uuidPath);
    const jobId = uuidPath.exec(page.url())![1];
    const job = await (await stack.api(`/api/queue/jobs/${jobId}`)).json();
    expect(job.title).toBe('Ship the parser');
    expect(job.publishMode).toBe('branch');
    await stack.api(`/api/queue/jobs/${jobId}/cancel`, { method: 'POST', json: {} });

    await page.goto('/tasks/queue/new');
    await page.locator('#step-0-instructions').fill('Untitled objective');
    await page.getByTestId('field-title').fill('Parser: titled');
    expect(JSON.parse(await preview()).payload.task.title).toBe('Parser: titled');
  });

  it('sums up the errors at the top on a failed submit, each linking to its field', async () => {
    await page.goto('/tasks/queue/new');
    await page.getByTestId('field-repository').fill('octo/web');
    await page.getByTestId('field-priority').fill('high');
    await page.getByTestId('submit-task').click();
    const summary = page.getByTestId('error-summary');
    await summary.waitFor();
    expect(await summary.locator('a').allTextContents()).toEqual([
      'Priority: must be an integer',
      'Objective: is required',
    ]);
    await page.getByTestId('summary-priority').click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('priority');
    await page.getByTestId('summary-steps.0.instructions').click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('step-0-instructions');
    await page.screenshot({ path: `${shots}/form-error-summary.png`, fullPage: true });
  });
});
