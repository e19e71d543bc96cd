import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../support/stack.ts';

/**
 * Task proposals in a real Chromium against the real stack: the inbox (filters in the URL, counts per
 * status, origin links), the detail page (the summary's Markdown with hostile text escaped), promote and
 * edit-then-promote (land on the new job), a decision that lost a race (409), and bulk dismiss (an empty
 * selection refused; each item reported). Proposals are created through the API as the admin; no worker:
 * a promoted job only has to be accepted.
 */
const chromiumPath = '/usr/bin/chromium';
const shots = 'test-results/screenshots';
const jobPath = /\/tasks\/queue\/([0-9a-f-]{36})$/;
const originJob = '0b8e5a57-7c4f-4d0e-9a53-2d3c1f6e9a10';
const hostile = [
  '# Why <script>window.__pwned=1</script>',
  '',
  'Some **bold** text, `code <b>`, <img src=x onerror="window.__pwned=2"> and &lt;i&gt;entities&lt;/i&gt;.',
  '',
  '- [safe link](https://example.com/docs)',
  '- [bad link](javascript:window.__pwned=3)',
  '',
  '```',
  '<iframe src="javascript:window.__pwned=4"></iframe>',
  '```',
].join('\n');

const envelope = (repository: string, instructions: string) => ({
  type: 'task',
  payload: { repository, task: { instructions, publish: { mode: 'none' } } },
});

interface Created {
  id: string;
  title: string;
  version: number;
}

describe.skipIf(!existsSync(chromiumPath) && !process.env.CI)('task proposals in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const made: Record<string, Created> = {};

  const create = async (key: string, body: Record<string, unknown>) => {
    const res = await stack.api('/api/proposals', { method: 'POST', json: body });
    expect([200, 201]).toContain(res.status);
    const json = await res.json();
    made[key] = (json.proposal ?? json) as Created;
    return made[key];
  };
  const proposal = async (id: string) => (await stack.api(`/api/proposals/${id}`)).json();
  const rows = () => page.getByTestId('proposal-row').count();
  const row = (id: string) => page.locator(`[data-testid="proposal-row"][data-proposal-id="${id}"]`);
  const search = () => new URL(page.url()).searchParams;

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
    await page.goto('/sign-in');
    await page.getByTestId('token-input').fill(stack.adminToken);
    await page.getByTestId('sign-in-submit').click();
    await page.waitForURL(/\/tasks$/);

    await create('retry', {
      title: 'Add retry tests',
      summary: 'The retry path has **no** tests.',
      category: 'tests',
      tags: ['Flaky', 'ci'],
      origin: { source: 'queue', id: originJob, metadata: { branch: 'mm/retry' } },
      taskCreateRequest: envelope('octo/web', 'Add tests for the retry path'),
    });
    await create('parser', {
      title: 'Harden the parser',
      summary: 'Fuzz it.',
      category: 'security',
      tags: ['fuzz'],
      taskCreateRequest: envelope('octo/api', 'Fuzz the parser'),
    });
    await create('hostile', {
      title: 'Hostile <img src=x onerror="window.__pwned=5"> title',
      summary: hostile,
      category: 'refactor',
      taskCreateRequest: envelope('octo/web', 'Tidy up'),
    });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('lists open proposals with counts; filters live in the URL and survive a reload', async () => {
    await page.getByTestId('nav-proposals').click();
    await page.waitForURL(/\/tasks\/proposals$/);
    await expect.poll(rows).toBe(3);
    await expect.poll(() => page.getByTestId('proposal-count-open').textContent()).toBe('3');
    expect(await page.getByTestId('proposal-count-dismissed').textContent()).toBe('0');
    // The row of a proposal from a queue run links to that run.
    expect(await row(made.retry.id).getByTestId('proposal-origin').getAttribute('href')).toBe(
      `/tasks/queue/${originJob}`,
    );
    expect(await row(made.retry.id).textContent()).toContain('flaky');
    await page.screenshot({ path: `${shots}/proposals-inbox.png` });

    await page.getByTestId('proposal-filter-category').selectOption('security');
    await expect.poll(() => search().get('category')).toBe('security');
    await expect.poll(rows).toBe(1);
    expect(await page.getByTestId('proposal-link').textContent()).toBe('Harden the parser');
    await page.reload();
    await expect.poll(rows).toBe(1);
    expect(await page.getByTestId('proposal-filter-category').inputValue()).toBe('security');

    await page.getByTestId('proposal-filter-category').selectOption('');
    await page.getByTestId('proposal-filter-tag').fill('FLAKY');
    await page.getByTestId('proposal-filter-tag').press('Enter');
    await expect.poll(() => search().get('tag')).toBe('flaky');
    await expect.poll(rows).toBe(1);
    await page.getByTestId('proposal-filter-tag').fill('');
    await page.getByTestId('proposal-filter-tag').press('Enter');
    await page.getByTestId('proposal-filter-repository').fill('octo/web');
    await page.getByTestId('proposal-filter-repository').press('Enter');
    await expect.poll(() => search().get('repository')).toBe('octo/web');
    await expect.poll(rows).toBe(2);

    await page.getByTestId('proposal-status-dismissed').click();
    await expect.poll(() => search().get('status')).toBe('dismissed');
    await page.getByTestId('proposals-empty').waitFor();
    await page.goto('/tasks/proposals?status=all&originSource=queue');
    await expect.poll(rows).toBe(1);
    expect(await page.getByTestId('proposal-status-all').getAttribute('aria-selected')).toBe('true');
  });

  it('renders the summary as Markdown with every piece of hostile text escaped', async () => {
    await page.goto(`/tasks/proposals/${made.hostile.id}`);
    const md = page.getByTestId('proposal-markdown');
    await md.waitFor();
    expect(await md.locator('h3').textContent()).toBe('Why <script>window.__pwned=1</script>');
    expect(await md.locator('strong').textContent()).toBe('bold');
    expect(await md.locator('code').first().textContent()).toBe('code <b>');
    expect(await md.textContent()).toContain('<img src=x onerror="window.__pwned=2">');
    expect(await md.textContent()).toContain('&lt;i&gt;entities&lt;/i&gt;');
    expect(await md.locator('pre').textContent()).toContain('<iframe');
    // Only the safe link is a link; the javascript: one is plain text.
    expect(await md.locator('a').count()).toBe(1);
    expect(await md.locator('a').getAttribute('href')).toBe('https://example.com/docs');
    expect(await md.locator('a').getAttribute('rel')).toContain('noopener');
    expect(await md.textContent()).toContain('bad link');
    expect(await page.getByTestId('proposal-title').textContent()).toContain('<img src=x');
    expect(await page.locator('script:not([src]), img[src="x"], iframe').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // The task preview and the history with its actor.
    expect(await page.getByTestId('preview-repository').textContent()).toBe('octo/web');
    expect(await page.getByTestId('preview-publishMode').textContent()).toBe('none');
    await expect.poll(() => page.getByTestId('history-entry').count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${shots}/proposal-detail.png`, fullPage: true });
  });

  it('promotes in one click and lands on the new job', async () => {
    await page.goto(`/tasks/proposals/${made.retry.id}`);
    expect(await page.getByTestId('proposal-origin').getAttribute('href')).toBe(`/tasks/queue/${originJob}`);
    await page.getByTestId('promote').click();
    await page.waitForURL(jobPath, { timeout: 20_000 });
    const jobId = jobPath.exec(page.url())![1];
    await page.getByTestId('job-detail').waitFor();
    const after = await proposal(made.retry.id);
    expect(after.status).toBe('promoted');
    expect(after.promotedJobId).toBe(jobId);
    const job = await (await stack.api(`/api/queue/jobs/${jobId}`)).json();
    expect(job.payload.task.instructions).toBe('Add tests for the retry path');
  });

  it('edits, then promotes: the form is prefilled, checked, and its edits reach the job', async () => {
    const p = await create('edit', {
      title: 'Document the API',
      category: 'docs',
      taskCreateRequest: {
        type: 'task',
        priority: 3,
        payload: {
          repository: 'octo/docs',
          task: {
            instructions: 'Write the API guide',
            runtime: { mode: 'claude' },
            publish: { mode: 'none' },
            steps: [{ title: 'Review', instructions: 'Proofread it' }],
          },
        },
      },
    });
    await page.goto(`/tasks/proposals/${p.id}`);
    await page.getByTestId('edit-then-promote').click();
    const form = page.getByTestId('edit-promote');
    await form.waitFor();
    expect(await form.locator('#step-0-instructions').inputValue()).toBe('Write the API guide');
    expect(await form.locator('#step-1-instructions').inputValue()).toBe('Proofread it');
    expect(await form.getByTestId('field-runtime').inputValue()).toBe('claude');
    expect(await form.getByTestId('field-repository').inputValue()).toBe('octo/docs');
    expect(await form.getByTestId('field-priority').inputValue()).toBe('3');
    // Checked like a submission before anything is sent.
    await form.locator('#step-0-instructions').fill('');
    await form.getByTestId('edit-promote-submit').click();
    await expect.poll(() => form.getByTestId('error-step-0-instructions').textContent()).toBe('is required');
    await form.locator('#step-0-instructions').fill('Write the API guide, with examples');
    await form.getByTestId('edit-promote-submit').click();
    await page.waitForURL(jobPath, { timeout: 20_000 });
    const job = await (await stack.api(`/api/queue/jobs/${jobPath.exec(page.url())![1]}`)).json();
    expect(job.payload.task.instructions).toBe('Write the API guide, with examples');
    expect(job.payload.task.steps[0].instructions).toBe('Proofread it');
  });

  it('a decision that lost a race shows the current state and refreshes', async () => {
    const p = await create('race', {
      title: 'Cache the lookups',
      category: 'performance',
      taskCreateRequest: envelope('octo/api', 'Cache them'),
    });
    await page.goto(`/tasks/proposals/${p.id}`);
    await page.getByTestId('decision-panel').waitFor();
    // Someone else dismisses it meanwhile.
    const res = await stack.api(`/api/proposals/${p.id}/dismiss`, {
      method: 'POST',
      json: { note: 'not now' },
    });
    expect(res.status).toBe(200);
    await page.getByTestId('decision-note').fill('looks good');
    await page.getByTestId('decision-accept').click();
    await page.getByTestId('proposal-conflict').waitFor();
    expect(await page.getByTestId('proposal-conflict').textContent()).toContain('Dismissed');
    await expect
      .poll(() =>
        page.getByTestId('proposal-summary').getByTestId('proposal-status').getAttribute('data-status'),
      )
      .toBe('dismissed');
    expect((await proposal(p.id)).status).toBe('dismissed');
  });

  it('bulk dismiss: refuses an empty selection, then reports each item', async () => {
    await page.goto('/tasks/proposals');
    await expect.poll(rows).toBeGreaterThan(1);
    expect(await page.getByTestId('bulk-dismiss').isDisabled()).toBe(true);
    expect(await page.getByTestId('bulk-promote').isDisabled()).toBe(true);
    expect(await page.getByTestId('bulk-refusal').textContent()).toMatch(/select at least one/i);

    await row(made.parser.id).getByTestId('proposal-select').check();
    await row(made.hostile.id).getByTestId('proposal-select').check();
    expect(await page.getByTestId('bulk-count').textContent()).toBe('2 selected');
    expect(await page.getByTestId('bulk-refusal').count()).toBe(0);
    // One of them is decided by someone else before the bulk action lands.
    await stack.api(`/api/proposals/${made.hostile.id}/accept`, { method: 'POST', json: {} });
    await page.getByTestId('bulk-note').fill('out of scope');
    await page.getByTestId('bulk-dismiss').click();
    await page.getByTestId('bulk-result').waitFor();
    expect(await page.getByTestId('bulk-line').count()).toBe(2);
    expect(
      await page
        .locator(`[data-testid="bulk-line"][data-proposal-id="${made.parser.id}"]`)
        .getAttribute('data-ok'),
    ).toBe('true');
    expect(
      await page
        .locator(`[data-testid="bulk-line"][data-proposal-id="${made.hostile.id}"]`)
        .getAttribute('data-ok'),
    ).toBe('false');
    expect(await page.getByTestId('bulk-message').textContent()).toBe('Dismissed 1 of 2; 1 failed.');
    await page.screenshot({ path: `${shots}/proposals-bulk.png` });
    const parser = await proposal(made.parser.id);
    expect(parser.status).toBe('dismissed');
    expect(parser.decisionNote).toBe('out of scope');
    // The selection is cleared and the list refreshed: the dismissed one left the open inbox.
    await expect.poll(() => row(made.parser.id).count()).toBe(0);
    expect(await page.getByTestId('bulk-dismiss').isDisabled()).toBe(true);
  });
});
