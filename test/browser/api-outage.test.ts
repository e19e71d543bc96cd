import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitRemote } from '../support/git.ts';
import { submitJob } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

/**
 * An open run page across an API outage: while the API is down the page says so and sends nothing (its
 * controls are disabled); the run goes on and ends meanwhile; when the API is back the page catches up by
 * itself, without a reload: the final status, every line once, and no "polling" left behind.
 * Real Chromium, API, Temporal, PostgreSQL, git and worker (fake agent).
 */
const chromiumPath = '/usr/bin/chromium';

describe.skipIf(!existsSync(chromiumPath) && !process.env.CI)('a run page across an API outage', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const remote = await createGitRemote(['octo/outage']);
    stack = await startStack();
    await stack.startWorker({
      pool: 'outage',
      repositories: ['octo/outage'],
      env: { MOONMIND_GIT_BASE_URL: remote.baseUrl },
    });
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
    await page.waitForURL(/\/tasks/);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('disables controls while the API is down and catches up on its own when it is back', async () => {
    const job = await submitJob(stack, {
      repository: 'octo/outage',
      task: {
        instructions: 'Outlast the outage',
        publish: { mode: 'none' },
        steps: [{ instructions: 'FAKE_SLEEP=8' }],
      },
    });
    // A second tab with the New task form open: it learns of the outage from its own fleet reads.
    const form = await page.context().newPage();
    await form.goto('/tasks/queue/new');
    await form.getByTestId('task-form').waitFor();
    expect(await form.getByTestId('submit-task').isEnabled()).toBe(true);
    await page.goto(`/tasks/queue/${job.id}`);
    const viewport = page.getByTestId('log-viewport');
    const badge = page.getByTestId('job-summary').getByTestId('status-badge');
    await expect.poll(() => viewport.textContent(), { timeout: 60_000 }).toContain('working 1');
    expect(await page.getByTestId('control-cancel').isEnabled()).toBe(true);

    await stack.stopApi();
    await expect.poll(() => page.getByTestId('api-banner').isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await page.getByTestId('transport').getAttribute('data-transport')).toBe('polling');
    expect(await page.getByTestId('control-cancel').isDisabled()).toBe(true);
    await expect.poll(() => form.getByTestId('api-banner').isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await form.getByTestId('submit-task').isDisabled()).toBe(true);

    // Down long enough for the agent to finish (its worker holds the output until the API is back) and for
    // the page's retry backoff to have grown past what a user would wait.
    await new Promise((r) => setTimeout(r, 25_000));
    expect(await badge.getAttribute('data-status')).toBe('running');

    await stack.startApi();
    // The health probe runs every 3 s: the page is live again a few seconds later, not after its backoff.
    await expect.poll(() => page.getByTestId('api-banner').isVisible(), { timeout: 6_000 }).toBe(false);
    await expect
      .poll(() => page.getByTestId('transport').getAttribute('data-transport'), { timeout: 6_000 })
      .not.toBe('polling');
    await expect.poll(() => form.getByTestId('submit-task').isEnabled(), { timeout: 6_000 }).toBe(true);
    await form.close();
    await expect.poll(() => badge.getAttribute('data-status'), { timeout: 60_000 }).toBe('succeeded');
    await expect.poll(() => viewport.textContent(), { timeout: 10_000 }).toContain('fake agent: done');
    // Every line once, in order: the output the worker buffered through the outage, nothing repeated or lost
    // (the viewport is virtualized: the lines on screen are a consecutive run).
    const text = (await viewport.textContent()) ?? '';
    const numbers = [...text.matchAll(/working (\d+)/g)].map((m) => Number(m[1]));
    expect(numbers.length).toBeGreaterThan(5);
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0] + i));
  }, 180_000);
});
