import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../contracts/job.ts';
import { createGitRemote } from '../support/git.ts';
import { getJob, listEvents, submitJob, waitForJob, waitForStatus } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

/**
 * The run page tells the state as it is while a control takes effect (pausing, then paused; cancelling, then
 * cancelled), and a finished run offers Re-run and Clone to form instead of dead controls; the queue finds
 * dead-lettered runs. Real Chromium, API, Temporal, PostgreSQL, git and worker (fake agent).
 */
const chromiumPath = '/usr/bin/chromium';
const uuidPath = /\/tasks\/queue\/([0-9a-f-]{36})$/;

/** Every text the run page's status badge showed, in order (a MutationObserver in the page). */
function recordBadge(page: Page) {
  return page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __badges: string[] }).__badges = seen;
    const check = () => {
      const text = document
        .querySelector('[data-testid="job-summary"] [data-testid="status-badge"]')
        ?.textContent?.trim();
      if (text && seen.at(-1) !== text) seen.push(text);
    };
    check();
    new MutationObserver(check).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  });
}
const badgesOf = (page: Page) => page.evaluate(() => (window as unknown as { __badges: string[] }).__badges);

describe.skipIf(!existsSync(chromiumPath) && !process.env.CI)('run states and controls in a browser', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const badge = () => page.getByTestId('job-summary').getByTestId('status-badge');

  beforeAll(async () => {
    const remote = await createGitRemote(['octo/states']);
    stack = await startStack();
    await stack.startWorker({
      pool: 'states',
      repositories: ['octo/states'],
      concurrency: 3,
      env: { MOONMIND_GIT_BASE_URL: remote.baseUrl },
    });
    // Nothing listens on port 9: every clone fails as an outage would, so the attempts run out.
    await stack.startWorker({
      pool: 'unreachable',
      repositories: ['octo/unreachable'],
      env: { MOONMIND_GIT_BASE_URL: 'http://127.0.0.1:9', MOONMIND_GIT_HOSTS: '127.0.0.1:9' },
    });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ baseURL: stack.apiUrl, viewport: { width: 1280, height: 900 } });
    await page.goto('/sign-in');
    await page.getByTestId('token-input').fill(stack.adminToken);
    await page.getByTestId('sign-in-submit').click();
    await page.waitForURL(/\/tasks/);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const openRunning = async (job: JobView) => {
    await page.goto(`/tasks/queue/${job.id}`);
    await expect
      .poll(() => page.getByTestId('log-viewport').textContent(), { timeout: 60_000 })
      .toContain('working 1');
    await recordBadge(page);
  };

  it('a soft pause says "pausing after this step" until the step ends, then "paused"; an operator message shows in the output', async () => {
    const job = await submitJob(stack, {
      repository: 'octo/states',
      task: {
        instructions: 'Pausable',
        publish: { mode: 'none' },
        // Long enough that the pausing window outlasts the checks below on a loaded machine.
        steps: [{ instructions: 'FAKE_SLEEP=20' }, { instructions: 'FAKE_LINES=2' }],
      },
    });
    await openRunning(job);

    await page.getByTestId('operator-message').fill('please also update the docs');
    await page.getByTestId('send-message').click();
    // Where the agent got it: a line of the output, marked as the operator's.
    const operatorLine = page.getByTestId('log-viewport').locator('[data-kind="operator"]');
    await expect
      .poll(() => operatorLine.first().textContent(), { timeout: 15_000 })
      .toMatch(/^operator.+: please also update the docs$/);

    await page.getByTestId('control-pause').click();
    await expect.poll(() => badge().textContent(), { timeout: 10_000 }).toBe('pausing after this step');
    expect(await badge().getAttribute('data-status')).toBe('running');
    // The step still runs meanwhile: its lines keep coming.
    const lines = Number(await page.getByTestId('log-viewport').getAttribute('data-line-count'));
    await expect
      .poll(async () => Number(await page.getByTestId('log-viewport').getAttribute('data-line-count')))
      .toBeGreaterThan(lines);
    expect(await page.getByTestId('control-pause').isDisabled()).toBe(true);
    expect(await page.getByTestId('control-pause-now').isEnabled()).toBe(true);

    await expect.poll(() => badge().textContent(), { timeout: 45_000 }).toBe('paused');
    expect(await badge().getAttribute('data-status')).toBe('awaiting_action');
    expect((await getJob(stack, job.id)).live).toMatchObject({ paused: true, pausing: false });
    // The pause, seen as it happened: no "paused" while the agent was still working.
    expect(await badgesOf(page)).toEqual(['running', 'pausing after this step', 'paused']);
    // Disabled buttons give their reason once.
    expect(await page.getByTestId('control-reasons').locator('li').allTextContents()).toEqual([
      'Pause after this step: the run is already paused',
    ]);

    await page.getByTestId('control-resume').click();
    await expect.poll(() => badge().getAttribute('data-status'), { timeout: 90_000 }).toBe('succeeded');
  });

  it('"Pause now" pauses at once; cancel says "cancelling…" until done, the step reads cancelled, the branch stays', async () => {
    const job = await submitJob(stack, {
      repository: 'octo/states',
      task: {
        instructions: 'Long',
        publish: { mode: 'branch' },
        steps: [{ instructions: 'FAKE_SLEEP=300' }],
      },
    });
    await openRunning(job);
    await page.getByTestId('control-pause').click();
    await expect.poll(() => badge().textContent(), { timeout: 10_000 }).toBe('pausing after this step');
    await page.getByTestId('control-pause-now').click();
    await expect.poll(() => badge().textContent(), { timeout: 5_000 }).toBe('paused');
    expect((await getJob(stack, job.id)).live).toMatchObject({ pauseMode: 'hard', pausing: false });

    await page.getByTestId('control-cancel').click();
    await page.getByTestId('confirm-yes').click();
    await expect.poll(() => badge().textContent(), { timeout: 60_000 }).toBe('cancelled');
    const shown = await badgesOf(page);
    expect(shown.slice(-2)).toEqual(['cancelling…', 'cancelled']);
    await expect.poll(() => page.getByTestId('step-row-0').getAttribute('data-state')).toBe('cancelled');
    expect(await page.getByTestId('stage-execute').getAttribute('data-state')).toBe('cancelled');
    const branch = (await getJob(stack, job.id)).branch;
    expect(branch).toMatch(/^task\//);
    expect(await page.getByTestId('job-branch').textContent()).toBe(branch);
  });

  it('Take over pauses the run at once and says what it means and where the work is', async () => {
    const job = await submitJob(stack, {
      repository: 'octo/states',
      task: {
        instructions: 'Mine now',
        publish: { mode: 'branch' },
        steps: [{ instructions: 'FAKE_SLEEP=300' }],
      },
    });
    await openRunning(job);
    // The live session's takeover route (docs/live-sessions.md): a hard pause, write granted to me.
    await page.getByTestId('control-takeover').click();
    const notice = page.getByTestId('takeover-notice');
    await expect.poll(() => badge().textContent(), { timeout: 10_000 }).toBe('paused: taken over');
    expect(await notice.textContent()).toContain('Taken over: the run is paused and waits for you.');
    const view = await getJob(stack, job.id);
    expect(await notice.textContent()).toContain(`worker ${view.worker}`);
    expect(await notice.textContent()).toContain(`branch ${view.branch}`);
    // The form follows the session's view, refreshed by the takeover's event.
    await expect.poll(() => page.getByTestId('hand-back-form').isVisible(), { timeout: 15_000 }).toBe(true);
    await stack.api(`/api/queue/jobs/${job.id}/cancel`, { method: 'POST', json: {} });
    await expect.poll(() => badge().textContent(), { timeout: 30_000 }).toBe('cancelled');
  });

  it('Re-run starts a new job with the same task, linked to the old one, and it succeeds', async () => {
    const old = await submitJob(stack, {
      repository: 'octo/states',
      task: {
        instructions: 'Once more',
        publish: { mode: 'none' },
        steps: [{ instructions: 'FAKE_LINES=2' }],
      },
    });
    await waitForStatus(stack, old.id, 'succeeded', 90_000);
    await page.goto(`/tasks/queue/${old.id}`);
    await page.getByTestId('control-rerun').click();
    await page.waitForURL((url) => uuidPath.test(url.pathname) && !url.pathname.endsWith(old.id));
    const newId = uuidPath.exec(new URL(page.url()).pathname)![1];
    expect(await page.getByTestId('rerun-of').textContent()).toBe(`Re-run of ${old.id}`);
    await expect.poll(() => badge().getAttribute('data-status'), { timeout: 90_000 }).toBe('succeeded');

    const rerun = await getJob(stack, newId);
    expect(rerun.origin).toEqual({ rerunOf: old.id });
    expect(rerun.payload).toEqual((await getJob(stack, old.id)).payload);
    const linked = (await listEvents(stack, old.id)).find((e) => e.type === 'job.rerun');
    expect(linked?.payload.rerunJobId).toBe(newId);
    // The new run's page links back to the old one, and the old one's to its re-run.
    await page.getByTestId('rerun-of').getByRole('link').click();
    await page.waitForURL(new RegExp(`/tasks/queue/${old.id}$`));
    await expect
      .poll(() => page.getByTestId('rerun-as').textContent(), { timeout: 10_000 })
      .toBe(`Re-run as ${newId}`);
    expect(await page.getByTestId('event-timeline').textContent()).toContain(`re-run as ${newId}`);
    // Only a finished run can be re-run.
    const running = await submitJob(stack, {
      repository: 'octo/states',
      task: { instructions: 'Busy', publish: { mode: 'none' }, steps: [{ instructions: 'FAKE_SLEEP=30' }] },
    });
    const refused = await stack.api(`/api/queue/jobs/${running.id}/rerun`, { method: 'POST' });
    expect(refused.status).toBe(409);
    await stack.api(`/api/queue/jobs/${running.id}/cancel`, { method: 'POST', json: {} });
  });

  it('Clone to form opens the New task form filled with the run, ready to submit', async () => {
    const old = await submitJob(
      stack,
      {
        repository: 'octo/states',
        task: {
          instructions: 'Clone me',
          publish: { mode: 'none' },
          steps: [{ title: 'Print', instructions: 'FAKE_LINES=1' }],
        },
      },
      { priority: 2 },
    );
    await waitForStatus(stack, old.id, ['succeeded', 'failed'], 90_000);
    await page.goto(`/tasks/queue/${old.id}`);
    await page.getByTestId('control-clone').click();
    await page.waitForURL(/\/tasks\/queue\/new\?from=/);
    await page.getByTestId('cloned-from').waitFor();
    const preview = JSON.parse((await page.getByTestId('request-preview').textContent()) ?? '{}');
    expect(preview).toMatchObject({
      priority: 2,
      payload: {
        repository: 'octo/states',
        task: {
          instructions: 'Clone me',
          publish: { mode: 'none' },
          steps: [expect.objectContaining({ title: 'Print', instructions: 'FAKE_LINES=1' })],
        },
      },
    });
    await page.getByTestId('submit-task').click();
    await page.waitForURL((url) => uuidPath.test(url.pathname) && !url.pathname.endsWith(old.id));
    await expect.poll(() => badge().getAttribute('data-status'), { timeout: 90_000 }).toBe('succeeded');
  });

  it('a dead-lettered run has its own badge, stages that are not "pending", and the queue filter finds it', async () => {
    const job = await submitJob(
      stack,
      { repository: 'octo/unreachable', task: { instructions: 'Never cloned', publish: { mode: 'branch' } } },
      { maxAttempts: 1 },
    );
    await waitForJob(stack, job.id, (j) => j.status === 'dead_letter', 90_000);
    await page.goto('/tasks/queue');
    await page.getByTestId('filter-status').selectOption('failed_or_dead_letter');
    await page.waitForURL(/status=failed_or_dead_letter/);
    const row = page.locator(`[data-testid="job-row"][data-job-id="${job.id}"]`);
    await row.waitFor({ timeout: 20_000 });
    expect(await row.getByTestId('status-badge').textContent()).toBe('dead-lettered');
    // The counts come with their own request, after the rows.
    await expect
      .poll(() =>
        page.getByTestId('filter-status').locator('option[value="failed_or_dead_letter"]').textContent(),
      )
      .toMatch(/^Failed or dead-lettered \(\d+\)$/);

    await row.getByRole('link').click();
    await page.waitForURL(uuidPath);
    await expect.poll(() => badge().textContent(), { timeout: 10_000 }).toBe('dead-lettered');
    const stages = await page
      .locator('[data-testid^="stage-"][data-state]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-state')));
    expect(stages).not.toContain('pending');
    expect(stages[0]).toBe('failed');
    expect(await page.getByTestId('control-rerun').isVisible()).toBe(true);
  });
});
