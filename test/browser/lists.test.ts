import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../contracts/job.ts';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { submitJob, waitForJob } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

/**
 * Lists people can scan, in a real Chromium against the real stack whose one worker serves codex and git
 * (no gh): a run waiting for gh shows why in the list and on its page; finished runs show their branch,
 * duration, stage or error; search, filters and order live in the URL; at 360 px each job is a card.
 */
const chromiumPath = '/usr/bin/chromium';
const shots = 'test-results/screenshots';
// Runs of earlier test files may share this file's Temporal namespace: the lists here filter on a repository
// name of their own.
const tag = `lists${Date.now().toString(36)}`;
const repository = `octo/${tag}`;

describe.skipIf(!existsSync(chromiumPath) && !process.env.CI)('job lists in a browser', () => {
  let stack: Stack;
  let remote: GitRemote | undefined;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let waiting: JobView;
  let done: JobView;
  let failed: JobView;
  const row = (id: string) => page.locator(`[data-testid="job-row"][data-job-id="${id}"]`);
  const rowIds = () =>
    page.getByTestId('job-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-job-id')));

  beforeAll(async () => {
    remote = await createGitRemote([repository]);
    stack = await startStack();
    await stack.startWorker({
      pool: 'lists',
      capabilities: ['codex', 'git'],
      env: { MOONMIND_GIT_BASE_URL: remote!.baseUrl },
    });
    const task = (instructions: string, publish: string) => ({
      repository,
      task: { instructions, publish: { mode: publish } },
    });
    // Oldest first: the waiting run is the oldest, so "newest first" puts the finished ones above it.
    waiting = await submitJob(stack, task('Open a pull request for the parser', 'pr'));
    failed = await submitJob(stack, task('Break the build FAKE_FAIL', 'branch'));
    await waitForJob(stack, failed.id, (j) => j.status === 'failed');
    done = await submitJob(stack, task('Write the changelog FAKE_LINES=2', 'branch'));
    done = await waitForJob(stack, done.id, (j) => j.status === 'succeeded');
    await waitForJob(stack, waiting.id, (j) => j.waitingReason?.includes('gh') ?? false);

    await mkdir(shots, { recursive: true });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    context = await browser.newContext({ baseURL: stack.apiUrl, viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    await page.goto('/sign-in');
    await page.getByTestId('token-input').fill(stack.adminToken);
    await page.getByTestId('sign-in-submit').click();
    await page.waitForURL(/\/tasks$/);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('shows a queued run waiting for gh as a chip in every list and on its page', async () => {
    const chip = `waiting for a worker with gh for ${repository}`;
    for (const path of ['/tasks/queue', '/tasks']) {
      await page.goto(path);
      await expect.poll(() => row(waiting.id).getByTestId('waiting-chip').textContent()).toBe(chip);
    }
    await page.goto(`/tasks/queue/${waiting.id}`);
    await expect
      .poll(() => page.getByTestId('job-summary').getByTestId('waiting-chip').textContent())
      .toBe(chip);
  });

  it('lists newest first with stage, branch, duration, error and exact times on hover', async () => {
    await page.goto(`/tasks/queue?repository=${tag}`);
    await expect.poll(rowIds).toEqual([done.id, failed.id, waiting.id]);
    const ok = row(done.id);
    expect(await ok.getByTestId('job-branch').textContent()).toBe(done.branch);
    expect(await ok.getByTestId('job-duration').textContent()).toMatch(/^\d+ s$/);
    expect(await ok.getByTestId('job-stage').textContent()).not.toBe('—');
    expect(await ok.getByTestId('job-created').textContent()).toBe('just now');
    expect(await ok.getByTestId('job-created').getAttribute('title')).toBe(
      await page.evaluate((iso) => new Date(iso).toLocaleString(), done.createdAt),
    );
    expect(await row(failed.id).getByTestId('job-error').textContent()).toMatch(/exit|fail/i);
    expect(await row(waiting.id).getByTestId('job-duration').textContent()).toBe('—');

    // Active runs pinned on top on request.
    await page.getByTestId('filter-active-first').check();
    await page.waitForURL(/order=active-first/);
    await expect.poll(rowIds).toEqual([waiting.id, done.id, failed.id]);
  });

  it('searches a part of the title, filters by status with human labels and counts, all kept across reload', async () => {
    await page.goto(`/tasks/queue?repository=${tag}`);
    const status = page.getByTestId('filter-status');
    await expect
      .poll(() => status.locator('option').allTextContents())
      .toEqual([
        'any',
        'Queued (1)',
        'Running (0)',
        'Awaiting action (0)',
        'Succeeded (1)',
        'Failed (1)',
        'Cancelled (0)',
        'Dead-lettered (0)',
        'Failed or dead-lettered (1)',
      ]);
    expect(await page.getByTestId('count-succeeded').textContent()).toBe('Succeeded 1');

    await page.getByTestId('filter-q').fill('CHANGELOG');
    await page.getByTestId('filter-q').press('Enter');
    await page.waitForURL(/q=CHANGELOG/);
    await expect.poll(rowIds).toEqual([done.id]);
    await page.getByTestId('filter-q').fill('');
    await page.getByTestId('filter-q').press('Enter');
    await status.selectOption('failed');
    await page.waitForURL(/status=failed/);
    await expect.poll(rowIds).toEqual([failed.id]);

    await page.reload();
    await expect.poll(rowIds).toEqual([failed.id]);
    expect(await status.inputValue()).toBe('failed');
    expect(await page.getByTestId('filter-repository').inputValue()).toBe(tag);
    expect(new URL(page.url()).searchParams.get('repository')).toBe(tag);
  });

  it('at 360 px each job is a compact card with its title first, and nothing scrolls sideways', async () => {
    const narrow = await context.newPage();
    await narrow.setViewportSize({ width: 360, height: 740 });
    await narrow.goto(`/tasks/queue?repository=${tag}`);
    const card = narrow.locator(`[data-testid="job-row"][data-job-id="${waiting.id}"]`);
    await card.waitFor();
    const boxes = await card
      .locator('td')
      .evaluateAll((cells) =>
        cells
          .filter((c) => getComputedStyle(c).display !== 'none')
          .map((c) => ({ label: c.getAttribute('data-label'), top: c.getBoundingClientRect().top })),
      );
    expect(boxes[0].label).toBe('Task');
    expect(boxes.every((b) => b.top >= boxes[0].top)).toBe(true);
    const cardHeight = await card.evaluate((el) => el.getBoundingClientRect().height);
    expect(cardHeight).toBeLessThan(200);
    expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await narrow.screenshot({ path: `${shots}/queue-360.png`, fullPage: true });
    await narrow.close();
  });
});
