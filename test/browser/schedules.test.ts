import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduleView } from '../../contracts/schedules.ts';
import { type Stack, startStack } from '../support/stack.ts';

/**
 * The Schedules page in a real Chromium against the real stack: create a schedule through the form (the
 * task form's fields; a bad interval refused on the field), see it listed with its next fire, pause it from
 * the keyboard, trigger it now and follow the run link to a job that names its schedule, edit it, delete it.
 * No worker: the fired job only has to exist.
 */
const chromiumPath = '/usr/bin/chromium';
const shots = 'test-results/screenshots';

describe.skipIf(!existsSync(chromiumPath) && !process.env.CI)('schedules in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const schedules = async () =>
    ((await (await stack.api('/api/schedules')).json()) as { items: ScheduleView[] }).items;

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
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('creates a schedule with the form, lists it with its next fire, pauses, triggers, follows the run, edits, deletes', async () => {
    await page.getByTestId('nav-schedules').click();
    await page.waitForURL(/\/tasks\/schedules$/);
    await expect.poll(() => page.getByText('No schedules yet.').isVisible()).toBe(true);
    await page.getByTestId('new-schedule').click();
    await page.waitForURL(/\/tasks\/schedules\/new$/);

    await page.getByTestId('field-schedule-name').fill('Nightly docs');
    await page.getByTestId('field-spec-interval').fill('soon');
    await page.locator('#step-0-instructions').fill('Refresh the docs');
    await page.getByTestId('field-repository').fill('octo/docs');
    await page.getByTestId('field-publishMode').selectOption('none');
    await page.getByTestId('save-schedule').click();
    await expect.poll(() => page.getByTestId('error-spec-interval').textContent()).toContain('90s, 15m, 2h');
    expect(await page.locator('#spec-interval').evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await schedules()).toEqual([]);

    await page.getByTestId('field-spec-interval').fill('2h');
    expect(await page.getByTestId('spec-words').textContent()).toBe('Runs every 2 hours.');
    await page.getByTestId('save-schedule').click();
    await page.waitForURL(/\/tasks\/schedules#schedule-nightly-docs-[0-9a-f]{6}$/);
    const card = page.getByTestId('schedule-card');
    await card.waitFor();
    expect(await card.getByTestId('schedule-spec').textContent()).toBe('Runs every 2 hours');
    expect(await card.getByTestId('schedule-last').textContent()).toBe('never');
    const [created] = await schedules();
    // Temporal aligns intervals to the Unix epoch: the next fire is the next even UTC hour.
    const next = new Date(created.nextFireTimes[0]);
    expect(next.getTime() - Date.now()).toBeGreaterThan(0);
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(2 * 3_600_000);
    expect(next.getUTCHours() % 2).toBe(0);
    expect(await card.getByTestId('schedule-next').textContent()).toMatch(/^in \d+ (min|h)/);
    expect(created).toMatchObject({ name: 'Nightly docs', paused: false, title: 'Refresh the docs' });
    expect(created.job.payload).toMatchObject({ repository: 'octo/docs' });
    await page.screenshot({ path: `${shots}/schedules-list.png` });

    // Pause from the keyboard.
    await card.getByTestId('schedule-pause').focus();
    await page.keyboard.press('Enter');
    await card.getByTestId('schedule-paused').waitFor();
    expect(await card.getByTestId('schedule-pause').textContent()).toBe('Resume');
    expect(await card.getByTestId('schedule-next').textContent()).toBe('— (paused)');
    expect((await schedules())[0].paused).toBe(true);

    await card.getByTestId('schedule-trigger').click();
    const runLink = card.getByTestId('schedule-last-run');
    await runLink.waitFor({ timeout: 15_000 });
    await runLink.click();
    await page.waitForURL(/\/tasks\/queue\/[0-9a-f-]{36}$/);
    await expect
      .poll(() => page.getByTestId('fired-by').textContent(), { timeout: 15_000 })
      .toContain(created.id);
    const jobId = page.url().split('/').pop() ?? '';
    const job = await (await stack.api(`/api/queue/jobs/${jobId}`)).json();
    expect(job.origin).toMatchObject({ scheduleId: created.id });
    expect(job.payload.task.instructions).toBe('Refresh the docs');

    // Edit: the form opens filled; a changed objective is what the next fire runs.
    await page.goto(`/tasks/schedules/${created.id}/edit`);
    await expect.poll(() => page.locator('#step-0-instructions').inputValue()).toBe('Refresh the docs');
    expect(await page.getByTestId('field-spec-interval').inputValue()).toBe('2h');
    await page.locator('#step-0-instructions').fill('Refresh the docs and the README');
    await page.getByTestId('save-schedule').click();
    await page.waitForURL(/\/tasks\/schedules#/);
    await expect.poll(async () => (await schedules())[0].title).toBe('Refresh the docs and the README');

    await page.getByTestId('schedule-delete').click();
    await page.getByTestId('confirm-dialog').waitFor();
    await page.getByTestId('confirm-yes').click();
    await expect.poll(() => page.getByTestId('schedule-card').count()).toBe(0);
    expect((await stack.api(`/api/schedules/${created.id}`)).status).toBe(404);
  });
});
