import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRun, startedStages } from '../support/seed-log.ts';
import { type Stack, startStack } from '../support/stack.ts';

/**
 * The run page, log first (web/src/pages/JobDetail.tsx), in Chromium against the real API, Temporal and
 * PostgreSQL: a long run opens with its stages complete and its log in view, the whole log is searchable,
 * a line link opens at that line however old it is. The runs stay queued (no worker); their events are
 * appended through the worker events route.
 */
const chromiumPath = '/usr/bin/chromium';
const LINES = 3000;
/** Lines holding the search term: one far older than the newest 300 events the page reads first, two among them. */
const needles = [40, 2850, 2990];

describe.skipIf(!existsSync(chromiumPath) && !process.env.CI)('the run page', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let longRun: string;
  let shortRun: string;
  /** Stages, no log line. */
  let quietRun: string;
  /** Event ids of the needle lines, oldest first, and of log line 10. */
  let needleIds: number[];
  let line10: number;

  beforeAll(async () => {
    stack = await startStack();
    const long = await seededRun(stack, 'octo/long');
    await long.post(startedStages());
    await long.lines(LINES, (n) =>
      needles.includes(n) ? `warning: Needle found in unit ${n}` : `compiling module ${n} of the workspace`,
    );
    longRun = long.id;
    const short = await seededRun(stack, 'octo/short');
    await short.lines(1, () => 'the only line');
    shortRun = short.id;
    const quiet = await seededRun(stack, 'octo/quiet');
    await quiet.post(startedStages());
    quietRun = quiet.id;

    const found = await (await stack.api(`/api/queue/jobs/${longRun}/events/search?q=needle`)).json();
    needleIds = [...found.ids].reverse();
    const ten = await (await stack.api(`/api/queue/jobs/${longRun}/events/search?q=module%2010%20of`)).json();
    line10 = ten.ids[0];

    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    context = await browser.newContext({ baseURL: stack.apiUrl, viewport: { width: 1280, height: 900 } });
    const signIn = await context.request.post('/api/auth/session', { data: { token: stack.adminToken } });
    expect(signIn.ok()).toBe(true);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** A page on a run, once its newest lines are in view. */
  const open = async (path: string, viewport = { width: 1280, height: 900 }) => {
    const page = await context.newPage();
    await page.setViewportSize(viewport);
    await page.goto(path);
    await page.getByTestId('log-line').first().waitFor();
    // The header replaces a shorter placeholder when the job view arrives (after the first lines, on a busy
    // machine): positions are measured once it is there.
    await page.getByTestId('run-header').waitFor();
    return page;
  };
  const newestId = async (jobId: string) =>
    (await (await stack.api(`/api/queue/jobs/${jobId}/events?sort=desc&limit=1`)).json()).items[0].id;
  const lineWithId = (page: Page, id: number) => page.locator(`[data-testid="log-line"][data-id="${id}"]`);
  /** The line is inside the log's visible box. */
  const inView = async (page: Page, id: number) => {
    const box = await page.getByTestId('log-viewport').boundingBox();
    const line = await lineWithId(page, id).boundingBox();
    return !!box && !!line && line.y >= box.y && line.y + line.height <= box.y + box.height;
  };

  it('shows the log above the fold, at 1280×900 and at 360×800', async () => {
    for (const viewport of [
      { width: 1280, height: 900 },
      { width: 360, height: 800 },
    ]) {
      const page = await open(`/tasks/queue/${longRun}`, viewport);
      await page.getByTestId('run-header').waitFor();
      const log = (await page.getByTestId('log-viewport').boundingBox())!;
      // At least ten lines of the log are on the first screen, and the newest line is one of them.
      expect(log.y + 10 * 18, `log top at ${viewport.width}px`).toBeLessThanOrEqual(viewport.height);
      const newest = await page.getByTestId('log-line').last().boundingBox();
      expect(newest!.y + newest!.height).toBeLessThanOrEqual(
        Math.min(log.y + log.height, viewport.height) + 1,
      );
      expect(Number(await page.getByTestId('log-line').last().getAttribute('data-id'))).toBe(
        await newestId(longRun),
      );
      await page.close();
    }
  });

  it('has every stage event and the whole timeline on first paint of a long run, without loading older lines', async () => {
    const older: string[] = [];
    const page = await context.newPage();
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname.endsWith('/events') && url.searchParams.has('beforeEventId')) older.push(r.url());
    });
    await page.goto(`/tasks/queue/${longRun}`);
    await page.getByTestId('log-line').first().waitFor();
    // The page reads the newest 300 events first: the stage events are 2,700 lines further back.
    expect(await page.getByTestId('load-older').isVisible()).toBe(true);
    await expect.poll(() => page.getByTestId('stage-prepare').getAttribute('data-state')).toBe('finished');
    expect(await page.getByTestId('stage-execute').getAttribute('data-state')).toBe('running');
    expect(await page.getByTestId('step-row-0').textContent()).toContain('Build');
    expect(await page.getByTestId('event-timeline').textContent()).toContain('moonmind.task.prepare.started');

    await page.getByTestId('filter-output-stages').click();
    const texts = await page.getByTestId('log-line').allTextContents();
    // The seeded ones, then the run's own (`run.queued`: no worker serves it).
    expect(texts.slice(0, 5)).toEqual([
      '[moonmind.task.prepare.started] prepare started',
      '[moonmind.task.prepare.finished] prepare finished',
      '[moonmind.task.execute.started] execute started',
      '[task.steps.plan] plan',
      '[task.step.started] step started',
    ]);
    expect(texts.slice(5).every((t) => t.includes('[run.'))).toBe(true);
    expect(await page.getByTestId('log-empty').count()).toBe(0);
    expect(older).toEqual([]);
    await page.close();
  });

  it('says so when a filter matches nothing, and counts "1 line"', async () => {
    const page = await open(`/tasks/queue/${shortRun}`);
    // The one log line and the run's own events.
    const all = await page.getByTestId('log-line').count();
    expect(all).toBeGreaterThan(1);
    expect(await page.getByTestId('line-count').textContent()).toBe(`${all} lines`);
    await page.getByTestId('filter-output-logs').click();
    await expect.poll(() => page.getByTestId('line-count').textContent()).toBe('1 line');
    expect(await page.getByTestId('log-empty').count()).toBe(0);
    await page.close();

    const quiet = await open(`/tasks/queue/${quietRun}`);
    await quiet.getByTestId('filter-output-logs').click();
    await expect.poll(() => quiet.getByTestId('log-empty').textContent()).toBe('No log lines yet.');
    expect(await quiet.getByTestId('log-line').count()).toBe(0);
    expect(await quiet.getByTestId('line-count').textContent()).toBe('0 lines');
    await quiet.getByTestId('filter-output-all').click();
    await expect.poll(() => quiet.getByTestId('log-empty').count()).toBe(0);
    await quiet.close();
  });

  it('searches the whole log: next and previous through the matches, each one shown and highlighted', async () => {
    const page = await open(`/tasks/queue/${longRun}`);
    await page.getByTestId('log-search').fill('NEEDLE');
    await page.getByTestId('log-search').press('Enter');
    const count = page.getByTestId('log-search-count');
    const current = async (id: number) => {
      await expect.poll(() => lineWithId(page, id).getAttribute('data-current')).toBe('');
      expect(await inView(page, id)).toBe(true);
      // The term is marked in the line, as it was written.
      expect(await lineWithId(page, id).locator('mark').allTextContents()).toEqual(['Needle']);
      expect(await page.locator('[data-testid="log-line"][data-current]').count()).toBe(1);
    };

    // Numbered from the newest, where the log opens.
    await expect.poll(() => count.textContent()).toBe('1 of 3');
    await current(needleIds[2]);
    expect(await page.getByTestId('log-search-next').isDisabled()).toBe(true);

    await page.getByTestId('log-search-prev').click();
    await expect.poll(() => count.textContent()).toBe('2 of 3');
    await current(needleIds[1]);

    // The oldest match is 2,950 lines back, far older than the lines held: the lines around it are shown.
    await page.getByTestId('log-search-prev').click();
    await expect.poll(() => count.textContent()).toBe('3 of 3');
    await current(needleIds[0]);
    expect(await page.getByTestId('log-window-note').textContent()).toContain(`line ${needleIds[0]}`);
    expect(await page.getByTestId('log-search-prev').isDisabled()).toBe(true);

    await page.getByTestId('log-search-next').click();
    await expect.poll(() => count.textContent()).toBe('2 of 3');
    await current(needleIds[1]);
    expect(await page.getByTestId('log-window-note').count()).toBe(0);

    await page.getByTestId('log-search').fill('no such text anywhere');
    await page.getByTestId('log-search').press('Enter');
    await expect.poll(() => count.textContent()).toBe('no match in the log');
    expect(await page.locator('mark').count()).toBe(0);
    await page.close();
  });

  it('links to a line: the link opens the page at that line, highlighted, however old it is', async () => {
    const page = await open(`/tasks/queue/${longRun}`);
    const last = page.getByTestId('log-line').last();
    const id = Number(await last.getAttribute('data-id'));
    await last.locator('a.log-ref').click();
    await page.waitForURL(new RegExp(`\\?line=${id}$`));
    expect(await last.getAttribute('data-current')).toBe('');

    // Line 10 of 3,000: 2,700 lines before the newest events the page reads first.
    const linked = await open(`/tasks/queue/${longRun}?line=${line10}`);
    await expect.poll(() => lineWithId(linked, line10).getAttribute('data-current')).toBe('');
    expect(await inView(linked, line10)).toBe(true);
    expect(await lineWithId(linked, line10).textContent()).toContain('compiling module 10 of the workspace');

    // Times on demand.
    expect(await lineWithId(linked, line10).locator('time').count()).toBe(0);
    await linked.getByTestId('times-toggle').check();
    expect(await lineWithId(linked, line10).locator('time').textContent()).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);

    // Back to the newest lines: the link is gone and the log follows again.
    await linked.getByTestId('back-to-newest').click();
    await linked.waitForURL((u) => !u.search.includes('line='));
    const newest = await newestId(longRun);
    await expect
      .poll(async () => Number(await linked.getByTestId('log-line').last().getAttribute('data-id')))
      .toBe(newest);
    await page.close();
    await linked.close();
  });

  it('loads older lines in place: the lines in view stay where they are', async () => {
    const page = await open(`/tasks/queue/${longRun}`);
    const viewport = page.getByTestId('log-viewport');
    await viewport.evaluate((v) => {
      v.scrollTop = 0;
    });
    await expect.poll(() => viewport.evaluate((v) => v.scrollTop)).toBe(0);
    const id = Number(await page.getByTestId('log-line').first().getAttribute('data-id'));
    expect(id).toBeGreaterThan(needleIds[0]);
    const before = (await lineWithId(page, id).boundingBox())!.y;
    const held = await viewport.getAttribute('data-line-count');
    await page.getByTestId('load-older').click();
    await expect.poll(() => viewport.getAttribute('data-line-count')).not.toBe(held);
    await expect.poll(async () => (await lineWithId(page, id).boundingBox())?.y).toBe(before);
    await page.close();
  });

  it('an unknown job id says only that there is no such job', async () => {
    const page = await context.newPage();
    await page.goto('/tasks/queue/00000000-0000-4000-8000-000000000000');
    await expect.poll(() => page.getByTestId('job-not-found').textContent()).toBe('No job with this id.');
    for (const part of ['live-output', 'stage-timeline', 'event-timeline', 'artifacts', 'run-header'])
      expect(await page.getByTestId(part).count(), part).toBe(0);
    await page.close();
  });

  it('disables the controls while the API cannot be reached (a run, a proposal)', async () => {
    const created = await stack.api('/api/proposals', {
      method: 'POST',
      json: {
        title: 'Add retry tests',
        summary: 'None yet.',
        category: 'tests',
        taskCreateRequest: {
          type: 'task',
          payload: {
            repository: 'octo/long',
            task: { instructions: 'Add tests', publish: { mode: 'none' } },
          },
        },
      },
    });
    const json = await created.json();
    const proposal = await context.newPage();
    await proposal.goto(`/tasks/proposals/${(json.proposal ?? json).id}`);
    const promote = proposal.getByTestId('promote');
    await expect.poll(() => promote.isDisabled()).toBe(false);
    const page = await open(`/tasks/queue/${longRun}`);
    const cancel = page.getByTestId('control-cancel');
    await expect.poll(() => cancel.isDisabled()).toBe(false);
    await stack.stopApi();
    try {
      await page.getByTestId('api-banner').waitFor({ timeout: 20_000 });
      expect(await cancel.isDisabled()).toBe(true);
      // The proposal page learns it from its next request: a promote that could not be sent.
      await promote.click();
      await proposal.getByTestId('api-banner').waitFor({ timeout: 20_000 });
      expect(await promote.isDisabled()).toBe(true);
      expect(await proposal.getByTestId('edit-then-promote').isDisabled()).toBe(true);
      expect(
        await page.getByTestId('run-controls').evaluate((f) => (f as HTMLFieldSetElement).disabled),
      ).toBe(true);
    } finally {
      await stack.startApi();
    }
    await page.getByTestId('api-banner').waitFor({ state: 'detached', timeout: 20_000 });
    expect(await cancel.isDisabled()).toBe(false);
    await proposal.getByTestId('api-banner').waitFor({ state: 'detached', timeout: 20_000 });
    expect(await promote.isDisabled()).toBe(false);
    // The click while the API was away promoted nothing.
    expect((await (await stack.api(`/api/proposals/${(json.proposal ?? json).id}`)).json()).status).toBe(
      'open',
    );
    await page.close();
    await proposal.close();
  });
});
