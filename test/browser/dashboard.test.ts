import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { submitJob, waitForJob } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

/**
 * The dashboard in a real Chromium against the real stack (API + Temporal + Postgres + a worker running
 * the fake agent): what an operator does, end to end.
 */
const chromiumPath = '/usr/bin/chromium';
const shots = 'test-results/screenshots';
const uuidPath = /\/tasks\/queue\/([0-9a-f-]{36})$/;

// Outside CI a machine without Chromium skips; in CI (.ci/run installs it) a missing browser fails.
describe.skipIf(!existsSync(chromiumPath) && !process.env.CI)('dashboard in a browser', () => {
  let stack: Stack;
  let remote: GitRemote;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const posts: string[] = [];
  const badge = () => page.getByTestId('job-summary').getByTestId('status-badge');

  beforeAll(async () => {
    remote = await createGitRemote(['octo/web']);
    stack = await startStack();
    await stack.startWorker({
      pool: 'web',
      capabilities: ['codex', 'git'],
      concurrency: 3,
      env: { MOONMIND_GIT_BASE_URL: remote.baseUrl },
    });
    await mkdir(shots, { recursive: true });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    context = await browser.newContext({
      baseURL: stack.apiUrl,
      acceptDownloads: true,
      viewport: { width: 1280, height: 900 },
    });
    page = await context.newPage();
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/queue/jobs') posts.push(r.url());
    });
  });
  // A failed test must not leave its request rewriting behind for the next one.
  afterEach(() => page?.unrouteAll());
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('sends a signed-out user to sign-in and back after signing in with a token', async () => {
    await page.goto('/tasks/queue');
    await page.waitForURL(/\/sign-in\?next=%2Ftasks%2Fqueue/);
    await page.getByTestId('token-input').fill(`mm_u_${'not_a_real_token_at_all_000000'}`);
    await page.getByTestId('sign-in-submit').click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not accepted');
    await page.getByTestId('token-input').fill(stack.adminToken);
    await page.getByTestId('sign-in-submit').click();
    await page.waitForURL(/\/tasks\/queue$/);
    await expect.poll(() => page.getByTestId('current-user').textContent()).toContain('admin');
  });

  it('shows field errors for invalid input and sends no request', async () => {
    await page.goto('/tasks/queue/new');
    await page.getByTestId('field-repository').fill('https://user:secret@example.com/octo/web');
    await page.getByTestId('field-priority').fill('1.5');
    await page.getByTestId('field-maxAttempts').fill('0');
    await page.getByTestId('add-step').click();
    await page.locator('#step-1-skillArgs').fill('[1, 2]');
    await page.getByTestId('submit-task').click();
    await expect.poll(() => page.getByTestId('error-step-0-instructions').textContent()).toBe('is required');
    expect(await page.getByTestId('error-repository').textContent()).toBe('must not contain credentials');
    expect(await page.getByTestId('error-priority').textContent()).toBe('must be an integer');
    expect(await page.getByTestId('error-maxAttempts').textContent()).toBe('must be at least 1');
    expect(await page.getByTestId('error-step-1-skillArgs').textContent()).toBe('must be a JSON object');
    // The first invalid field has the focus; nothing went to the server.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-invalid'))).toBe('true');
    await page.waitForTimeout(300);
    expect(posts).toEqual([]);
  });

  it("puts the server's validation issues on the right fields", async () => {
    // The form's own checks are the server's, so to see the server's answer the body is altered in
    // flight (as an older client might send it); the real API answers.
    await page.goto('/tasks/queue/new');
    await page.locator('#step-0-instructions').fill('Objective');
    await page.getByTestId('field-repository').fill('octo/web');
    await page.getByTestId('add-step').click();
    await page.locator('#step-1-instructions').fill('second step');
    await page.route('**/api/queue/jobs', async (route) => {
      const body = JSON.parse(route.request().postData() ?? '{}');
      body.payload.task.steps[0].branch = 'main';
      body.payload.task.runtime.effort = 'extreme';
      await route.continue({ postData: JSON.stringify(body) });
    });
    await page.getByTestId('submit-task').click();
    await expect
      .poll(() => page.getByTestId('error-step-1-instructions').textContent())
      .toContain('task-level');
    expect(await page.getByTestId('error-effort').textContent()).toBeTruthy();
    expect(await page.getByTestId('form-error').isVisible()).toBe(true);
    await page.unrouteAll();
    expect(page.url()).toMatch(/\/tasks\/queue\/new$/);
  });

  it('submits a 2-step task, streams its output live over SSE, reaches succeeded, serves the log', async () => {
    posts.length = 0;
    await page.goto('/tasks/queue/new');
    await page.locator('#step-0-instructions').fill('Browser test objective');
    await page.getByTestId('field-repository').fill('octo/web');
    await page.getByTestId('field-publishMode').selectOption('none');
    await page.getByTestId('add-step').click();
    await page.locator('#step-1-id').fill('write');
    await page.locator('#step-1-title').fill('Write the code');
    await page.locator('#step-1-instructions').fill('Write it FAKE_LINES=20 FAKE_SLEEP=5');
    await page.getByTestId('add-step').click();
    await page.locator('#step-2-id').fill('check');
    await page.locator('#step-2-instructions').fill('Check it FAKE_LINES=3');
    const preview = JSON.parse((await page.getByTestId('request-preview').textContent()) ?? '{}');
    expect(preview.payload.task.instructions).toBe('Browser test objective');
    expect(preview.payload.task.steps.map((s: { id: string }) => s.id)).toEqual(['write', 'check']);
    expect(JSON.stringify(preview)).not.toContain(stack.adminToken);

    await page.getByTestId('submit-task').click();
    await page.waitForURL(uuidPath);
    expect(posts).toHaveLength(1);

    await expect
      .poll(() => page.getByTestId('transport').textContent(), { timeout: 20_000 })
      .toBe('live (SSE)');
    await expect
      .poll(() => page.getByTestId('log-viewport').textContent(), { timeout: 60_000 })
      .toContain('working 2');
    // Lines arrive while the run is still going.
    await expect.poll(() => badge().getAttribute('data-status'), { timeout: 15_000 }).toBe('running');

    await expect.poll(() => badge().getAttribute('data-status'), { timeout: 90_000 }).toBe('succeeded');
    await expect.poll(() => page.getByTestId('step-row-1').getAttribute('data-state')).toBe('finished');
    expect(await page.getByTestId('job-step').textContent()).toBe('2/2');
    // A finished run offers what can still be done with it instead of dead controls.
    expect(await page.getByTestId('control-cancel').count()).toBe(0);
    expect(await page.getByTestId('finished-note').textContent()).toContain('succeeded');
    expect(await page.getByTestId('control-rerun').isEnabled()).toBe(true);
    expect(await page.getByTestId('temporal-link').getAttribute('href')).toMatch(/^https?:\/\//);

    await page.getByTestId('full-log-download').waitFor({ timeout: 20_000 });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('full-log-download').click(),
    ]);
    const log = await readFile((await download.path())!, 'utf8');
    expect(log).toContain('line 20');
    expect(log).toContain('working 2');
    await page.screenshot({ path: `${shots}/detail-succeeded.png`, fullPage: true });

    await page.goto('/tasks/queue');
    await page.getByTestId('job-row').first().waitFor();
    expect(
      await page.getByTestId('job-row').first().getByTestId('status-badge').getAttribute('data-status'),
    ).toBe('succeeded');
    await page.screenshot({ path: `${shots}/queue-list.png`, fullPage: true });
    // Filters live in the URL.
    await page.getByTestId('filter-status').selectOption('failed');
    await page.waitForURL(/status=failed/);
    // The filtered list is a new request: on a loaded machine it can take longer than the poll's default second.
    await expect
      .poll(() => page.getByText('No jobs match these filters.').isVisible(), { timeout: 15_000 })
      .toBe(true);
    await page.goto('/tasks/queue?status=succeeded');
    expect(await page.getByTestId('filter-status').inputValue()).toBe('succeeded');
    await page.getByTestId('job-row').first().waitFor();
  });

  it('lists a running task as active, falls back to polling without SSE and back to SSE, cancels after confirmation', async () => {
    const job = await submitJob(stack, {
      repository: 'octo/web',
      task: {
        instructions: 'Long one',
        publish: { mode: 'none' },
        steps: [{ instructions: 'FAKE_SLEEP=300' }],
      },
    });
    await page.goto('/tasks');
    await page.locator(`[data-testid="job-row"][data-job-id="${job.id}"]`).waitFor({ timeout: 20_000 });

    // The stream route fails: the page says so and keeps the output coming by polling.
    await page.route('**/events/stream*', (route) => route.abort());
    await page.goto(`/tasks/queue/${job.id}`);
    await expect.poll(() => page.getByTestId('transport').textContent(), { timeout: 20_000 }).toBe('polling');
    await expect
      .poll(() => page.getByTestId('log-viewport').textContent(), { timeout: 60_000 })
      .toContain('working 2');
    // The agent's JSON event lines read as text with a kind marker; the raw lines are one toggle away.
    const viewport = page.getByTestId('log-viewport');
    expect(await viewport.locator('[data-kind="message"]').first().textContent()).toMatch(/^agent/);
    expect(await viewport.textContent()).not.toContain('"type"');
    await page.getByTestId('raw-toggle').check();
    await expect.poll(() => viewport.textContent()).toContain('"type":"item.completed"');
    await page.getByTestId('raw-toggle').uncheck();

    // The stream is back: the page retries it while polling and switches to it, resuming after the last
    // event it holds, so every line arrives once, none is skipped.
    const working = async () =>
      (await page.getByTestId('log-line').allTextContents()).flatMap((t) => {
        const n = /working (\d+)$/.exec(t)?.[1];
        return n ? [Number(n)] : [];
      });
    await page.unrouteAll();
    await expect
      .poll(() => page.getByTestId('transport').textContent(), { timeout: 45_000 })
      .toBe('live (SSE)');
    const atSwitch = Math.max(...(await working()));
    await expect
      .poll(async () => Math.max(...(await working())), { timeout: 20_000 })
      .toBeGreaterThan(atSwitch + 3);
    const lines = await working();
    expect(lines).toContain(atSwitch);
    expect(lines).toEqual(Array.from({ length: lines.length }, (_, i) => lines[0] + i));

    await page.getByTestId('control-cancel').click();
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.waitFor();
    // Focus moves into the dialog; Escape closes it without cancelling.
    expect(await page.evaluate(() => document.activeElement?.closest('dialog') !== null)).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await badge().getAttribute('data-status')).toBe('running');
    await page.getByTestId('control-cancel').click();
    await page.getByTestId('confirm-yes').click();
    await expect.poll(() => badge().getAttribute('data-status'), { timeout: 60_000 }).toBe('cancelled');
    await expect.poll(() => page.getByTestId('cancel-requested').isVisible(), { timeout: 10_000 }).toBe(true);
    await expect
      .poll(() => page.getByTestId('event-timeline').textContent(), { timeout: 10_000 })
      .toContain('control.cancel_requested');
  });

  it('pauses and resumes a task, and delivers an operator message', async () => {
    const job = await submitJob(stack, {
      repository: 'octo/web',
      task: {
        instructions: 'Pausable',
        publish: { mode: 'none' },
        steps: [{ instructions: 'FAKE_SLEEP=6' }, { instructions: 'FAKE_LINES=2' }],
      },
    });
    await page.goto(`/tasks/queue/${job.id}`);
    await expect
      .poll(() => page.getByTestId('log-viewport').textContent(), { timeout: 60_000 })
      .toContain('working 1');
    expect(await page.getByTestId('control-reasons').textContent()).toBe('Resume: the run is not paused');

    await page.getByTestId('operator-message').fill('please also update the docs');
    await page.getByTestId('send-message').click();
    await page.getByTestId('control-pause').click();
    await expect.poll(() => badge().getAttribute('data-status'), { timeout: 60_000 }).toBe('awaiting_action');
    expect(await badge().textContent()).toBe('paused');
    expect(await page.getByTestId('control-pause').isDisabled()).toBe(true);
    await expect
      .poll(() => page.getByTestId('event-timeline').textContent(), { timeout: 10_000 })
      .toContain('control.paused');
    expect(await page.getByTestId('event-timeline').textContent()).toContain('control.operator_message');

    await page.getByTestId('control-resume').click();
    await expect.poll(() => badge().getAttribute('data-status'), { timeout: 90_000 }).toBe('succeeded');
    expect(await page.getByTestId('event-timeline').textContent()).toContain('control.resumed');
    await waitForJob(stack, job.id, (j) => j.status === 'succeeded');
  });

  it('stays usable at 360 px and shows the API banner when the API goes away', async () => {
    await page.setViewportSize({ width: 360, height: 800 });
    await page.goto('/tasks/queue');
    await page.getByTestId('job-row').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.getByTestId('theme-toggle').click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.getByTestId('job-row').first().getByRole('link').click();
    await page.waitForURL(uuidPath);
    await page.getByTestId('job-summary').waitFor();
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${shots}/detail-360-dark.png`, fullPage: true });
    await page.goto('/tasks/queue');
    await page.getByTestId('job-row').first().waitFor();
    await stack.stopApi();
    await expect.poll(() => page.getByTestId('api-banner').isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await page.getByTestId('job-table').isVisible()).toBe(true);
    await stack.startApi();
    await expect.poll(() => page.getByTestId('api-banner').count(), { timeout: 30_000 }).toBe(0);
  });

  it('signs out', async () => {
    await page.getByTestId('sign-out').click();
    await page.waitForURL(/\/sign-in/);
    await page.goto('/tasks');
    await page.waitForURL(/\/sign-in\?next=%2Ftasks/);
  });
});
