import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitRemote } from '../support/git.ts';
import { submitJob, waitForStatus } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

/** Run-provided text (instructions, titles, agent output) is shown as text, never run as markup. */
const chromiumPath = '/usr/bin/chromium';
const markup = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

describe.skipIf(!existsSync(chromiumPath) && !process.env.CI)('untrusted run text in the dashboard', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    const remote = await createGitRemote(['octo/xss']);
    stack = await startStack({
      workers: [
        { pool: 'xss', capabilities: ['codex', 'git'], env: { MOONMIND_GIT_BASE_URL: remote.baseUrl } },
      ],
    });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('renders markup in titles, steps and agent output literally', async () => {
    const job = await submitJob(stack, {
      repository: 'octo/xss',
      task: {
        instructions: `Title ${markup}`,
        publish: { mode: 'none' },
        steps: [
          { title: `Step ${markup}`, instructions: `FAKE_ECHO=${encodeURIComponent(markup)} and ${markup}` },
        ],
      },
    });
    await waitForStatus(stack, job.id, 'succeeded');
    const page = await browser.newPage({ baseURL: stack.apiUrl });
    await page.goto('/sign-in');
    await page.getByLabel(/token/i).fill(stack.adminToken);
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.waitForURL(/\/tasks/);
    // The title is the objective's first line (a step's title no longer stands in for it).
    await page.goto(`/tasks/queue/${job.id}`);
    await expect
      .poll(() => page.getByText('Title <img', { exact: false }).count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
    await page.goto('/tasks/queue');
    await expect
      .poll(() => page.getByText('Title <img', { exact: false }).count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
  });
});
