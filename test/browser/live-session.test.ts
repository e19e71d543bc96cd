import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitRemote } from '../support/git.ts';
import { submitJob, waitForStatus } from '../support/jobs.ts';
import { withoutAgentLines } from '../support/live-viewer.ts';
import { type Stack, startStack } from '../support/stack.ts';

/**
 * Live terminal sessions on the job page (web/src/components/live, docs/live-sessions.md), in Chromium
 * against the real API, workers and Temporal: a viewer starts a session and sees the run's terminal stream,
 * grants itself write and types into it while the grant counts down, revokes it, takes the run over and
 * hands it back with a summary; a finished run plays its recording; at 360 px the terminal fits the page.
 */
const chromiumPath = '/usr/bin/chromium';

/** What a terminal on the page shows (xterm's DOM renderer: one element per row). */
const screenText = (page: Page, testId: string) =>
  page.locator(`[data-testid="${testId}"] .xterm-rows`).textContent();
const sessionState = (page: Page) => page.getByTestId('live-state').getAttribute('data-state');

describe.skipIf(!existsSync(chromiumPath) && !process.env.CI)('live terminal sessions', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let me: string;
  /** A long run on a worker that runs steps under a PTY and streams once asked (on-demand). */
  let runningJob: string;

  beforeAll(async () => {
    const remote = await createGitRemote(['octo/live', 'octo/recorded']);
    const git = { MOONMIND_GIT_BASE_URL: remote.baseUrl };
    stack = await startStack({
      workers: [
        {
          pool: 'on-demand',
          capabilities: ['codex', 'git'],
          repositories: ['octo/live'],
          env: { ...git, MOONMIND_LIVE_SESSIONS: 'on-demand' },
        },
        {
          pool: 'always',
          capabilities: ['codex', 'git'],
          repositories: ['octo/recorded'],
          env: { ...git, MOONMIND_LIVE_SESSIONS: 'always' },
        },
      ],
    });
    const job = await submitJob(stack, {
      repository: 'octo/live',
      task: { instructions: 'Live session FAKE_SLEEP=240', publish: { mode: 'none' } },
    });
    runningJob = job.id;
    await waitForStatus(stack, runningJob, 'running', 60_000);
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    context = await browser.newContext({ baseURL: stack.apiUrl, viewport: { width: 1280, height: 900 } });
    const signIn = await context.request.post('/api/auth/session', { data: { token: stack.adminToken } });
    expect(signIn.ok()).toBe(true);
    me = (await (await context.request.get('/api/auth/me')).json()).user.name;
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('starts a session and streams the run read-only; a write grant counts down and lets keys through until revoked', async () => {
    const page = await context.newPage();
    await page.goto(`/tasks/queue/${runningJob}`);
    await expect.poll(() => sessionState(page), { timeout: 20_000 }).toBe('DISABLED');

    await page.getByRole('button', { name: 'Start live session' }).click();
    await expect.poll(() => sessionState(page), { timeout: 30_000 }).toBe('READY');
    expect(await page.getByTestId('live-state').textContent()).toBe('Live');
    // The fake agent prints "working <n>" every half second: it streams into the terminal.
    await expect.poll(() => screenText(page, 'live-terminal'), { timeout: 20_000 }).toMatch(/working \d+/);
    expect(await page.getByTestId('live-terminal').getAttribute('data-writable')).toBe('false');
    await expect
      .poll(() => page.getByTestId('live-viewers').textContent(), { timeout: 10_000 })
      .toContain(me);

    await page.getByRole('button', { name: 'Grant write (15 min)' }).click();
    const countdown = page.getByTestId('write-countdown');
    await expect.poll(() => countdown.textContent(), { timeout: 10_000 }).toMatch(/^1[45]:\d\d$/);
    expect(await page.getByTestId('write-grant').textContent()).toContain(me);
    const first = await countdown.textContent();
    await expect.poll(() => countdown.textContent(), { timeout: 5_000 }).not.toBe(first);
    await expect
      .poll(() => page.getByTestId('live-terminal').getAttribute('data-writable'), { timeout: 10_000 })
      .toBe('true');

    // Keys reach the run's terminal (its echo shows them).
    await page.getByTestId('live-terminal').click();
    await page.keyboard.type('typed-in-the-browser');
    await expect
      .poll(async () => withoutAgentLines(await screenText(page, 'live-terminal')), { timeout: 10_000 })
      .toContain('typed-in-the-browser');

    await page.getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => countdown.count(), { timeout: 10_000 }).toBe(0);
    await expect
      .poll(() => page.getByTestId('live-terminal').getAttribute('data-writable'), { timeout: 10_000 })
      .toBe('false');
    expect(await sessionState(page)).toBe('READY');
    await page.getByTestId('live-terminal').click();
    await page.keyboard.type('never-sent');
    await page.waitForTimeout(1_500);
    expect(withoutAgentLines(await screenText(page, 'live-terminal'))).not.toContain('never-sent');
    await page.close();
  });

  it('fits the terminal into a 360 px wide page without horizontal scrolling', async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 360, height: 780 });
    await page.goto(`/tasks/queue/${runningJob}`);
    await expect.poll(() => screenText(page, 'live-terminal'), { timeout: 20_000 }).toMatch(/working \d+/);
    const box = await page.getByTestId('live-terminal').boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 360).toBe(true);
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    await page.close();
  });

  it('takes the run over, asks what changed before handing back, and ends the session', async () => {
    const page = await context.newPage();
    await page.goto(`/tasks/queue/${runningJob}`);
    await page.getByTestId('control-takeover').click();
    const form = page.getByTestId('hand-back-form');
    await form.waitFor({ timeout: 30_000 });
    await expect
      .poll(() => page.getByTestId('live-terminal').getAttribute('data-writable'), { timeout: 30_000 })
      .toBe('true');
    expect(await page.getByTestId('write-countdown').textContent()).toMatch(/^1[45]:\d\d$/);

    await page.getByRole('button', { name: 'Hand back' }).click();
    expect(await page.getByTestId('error-hand-back-summary').textContent()).toBe(
      '"What did you change?" is required',
    );
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('hand-back-summary');
    await page.getByLabel('What did you change?').fill('Pinned the flaky dependency');
    await page.getByRole('button', { name: 'Hand back' }).click();
    await form.waitFor({ state: 'detached', timeout: 30_000 });
    await waitForStatus(stack, runningJob, 'running', 60_000);

    await page.getByRole('button', { name: 'End session' }).click();
    await expect.poll(() => sessionState(page), { timeout: 20_000 }).toBe('REVOKED');
    expect(await page.getByTestId('live-reason').textContent()).toBeTruthy();
    await expect.poll(() => page.getByTestId('live-terminal').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Start live session' }).isVisible()).toBe(true);
    await page.close();
  });

  it("plays a finished run's recording, output only", async () => {
    const job = await submitJob(stack, {
      repository: 'octo/recorded',
      task: { instructions: 'Recorded FAKE_SLEEP=3', publish: { mode: 'none' } },
    });
    await waitForStatus(stack, job.id, 'succeeded', 120_000);
    const page = await context.newPage();
    await page.goto(`/tasks/queue/${job.id}`);
    await page.getByTestId('recording-play').click({ timeout: 30_000 });
    await expect
      .poll(() => screenText(page, 'recording-terminal'), { timeout: 20_000 })
      .toContain('fake agent: done');
    // Input events are not drawn (the terminal's echo already is); at the end the button offers Play again.
    await expect
      .poll(() => page.getByTestId('recording-play').textContent(), { timeout: 20_000 })
      .toBe('Play');
    await page.getByTestId('recording-restart').click();
    expect((await screenText(page, 'recording-terminal'))?.trim()).toBe('');
    await page.close();
  });
});
