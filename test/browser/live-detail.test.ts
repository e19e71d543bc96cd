import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../contracts/events.ts';
import { staleAfter, UPLOAD_SETTLE_MS } from '../../web/src/lib/refresh.ts';
import { createGitRemote } from '../support/git.ts';
import { listEvents, submitJob, waitForStatus } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

/**
 * The job detail page follows the run's event stream (web/src/lib/live-job.ts): a control, a step, the run's
 * end and its artifacts show within a fraction of a second of their events, with no steady polling while
 * the stream is live. Latencies are measured in the page: a MutationObserver stamps when each change is
 * on screen, a wrapped EventSource when each event reached the browser.
 */
const chromiumPath = '/usr/bin/chromium';
const OLD_POLL_MS = 2_000;

/** In the page: when (epoch ms) each probe first held, and when each event reached the page's EventSource. */
interface Marks {
  seen: Record<string, number>;
  arrived: Record<number, number>;
}

/**
 * Before the page's scripts: every EventSource the page opens stamps each `job_event` as it arrives (its
 * listener is the first one, so the stamp precedes the page's own handling).
 */
function stampArrivals(page: Page) {
  return page.addInitScript(() => {
    const marks: Marks = { seen: {}, arrived: {} };
    (window as unknown as { __marks: Marks }).__marks = marks;
    const Native = window.EventSource;
    window.EventSource = class extends Native {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        this.addEventListener('job_event', (m) => {
          marks.arrived[Number((m as MessageEvent).lastEventId)] ??= Date.now();
        });
      }
    };
  });
}

/** In the page: stamps the first moment each probe holds (a MutationObserver runs right after each change). */
function installProbes(page: Page) {
  return page.evaluate(() => {
    const marks = (window as unknown as { __marks: Marks }).__marks;
    const q = (sel: string) => document.querySelector(`[data-testid="${sel}"]`);
    const badge = () =>
      q('job-summary')?.querySelector('[data-testid="status-badge"]')?.getAttribute('data-status');
    const disabled = (sel: string) => (q(sel) as HTMLButtonElement | null)?.disabled;
    const probes: Record<string, () => boolean> = {
      paused: () =>
        badge() === 'awaiting_action' &&
        disabled('control-pause-now') === true &&
        disabled('control-resume') === false,
      resumed: () =>
        'paused' in marks.seen &&
        badge() === 'running' &&
        disabled('control-resume') === true &&
        disabled('control-pause') === false,
      step2: () =>
        q('step-row-1')?.getAttribute('data-state') === 'running' && q('job-step')?.textContent === '2/2',
      succeeded: () => badge() === 'succeeded' && q('control-rerun') !== null,
      artifact: () => !!document.querySelector('[data-testid="artifact-row"][data-name="logs/execute.log"]'),
    };
    const check = () => {
      const now = Date.now();
      for (const [name, holds] of Object.entries(probes))
        if (!(name in marks.seen) && holds()) marks.seen[name] = now;
    };
    new MutationObserver(check).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      characterData: true,
    });
  });
}

const marksOf = (page: Page) => page.evaluate(() => (window as unknown as { __marks: Marks }).__marks);

describe.skipIf(!existsSync(chromiumPath) && !process.env.CI)('job detail follows the event stream', () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    const remote = await createGitRemote(['octo/live']);
    stack = await startStack({
      workers: [
        { pool: 'live', capabilities: ['codex', 'git'], env: { MOONMIND_GIT_BASE_URL: remote.baseUrl } },
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

  it('shows controls, steps, the final status and artifacts as their events arrive, without steady polling', async () => {
    const page = await browser.newPage({ baseURL: stack.apiUrl });
    await page.goto('/sign-in');
    await page.getByLabel(/token/i).fill(stack.adminToken);
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.waitForURL(/\/tasks/);

    const job = await submitJob(stack, {
      repository: 'octo/live',
      task: {
        instructions: 'Live detail',
        publish: { mode: 'none' },
        steps: [
          { instructions: 'FAKE_SLEEP=18' },
          { id: 'second', instructions: 'FAKE_LINES=3 FAKE_SLEEP=1' },
        ],
      },
    });
    // Every GET of this job's view or artifact list the page makes, stamped.
    const gets: { kind: 'job' | 'artifacts'; at: number }[] = [];
    page.on('request', (r) => {
      if (r.method() !== 'GET') return;
      const path = new URL(r.url()).pathname;
      if (path === `/api/queue/jobs/${job.id}`) gets.push({ kind: 'job', at: Date.now() });
      if (path === `/api/queue/jobs/${job.id}/artifacts`) gets.push({ kind: 'artifacts', at: Date.now() });
    });
    const getsBetween = (from: number, to: number, kind?: string) =>
      gets.filter((g) => g.at >= from && g.at < to && (!kind || g.kind === kind)).length;

    await stampArrivals(page);
    await page.goto(`/tasks/queue/${job.id}`);
    await expect
      .poll(() => page.getByTestId('transport').textContent(), { timeout: 20_000 })
      .toBe('live (SSE)');
    await expect
      .poll(() => page.getByTestId('log-viewport').textContent(), { timeout: 60_000 })
      .toContain('working 1');
    await installProbes(page);
    // The prepare stage's uploads are asked for once more after they settle (it may end < 1 s before).
    await page.waitForTimeout(UPLOAD_SETTLE_MS + 500);

    // The first step prints a line every half second and nothing else happens: no request for the view.
    const quietFrom = Date.now();
    await page.waitForTimeout(3 * OLD_POLL_MS + 500);
    const quietTo = Date.now();
    expect(gets.filter((g) => g.at >= quietFrom && g.at < quietTo)).toEqual([]);

    // (a) Paused through the API, not the page: the badge and the buttons change from the event alone. A hard
    // pause: a soft one would wait for the step to end.
    const pauseAt = Date.now();
    const paused = await stack.api(`/api/queue/jobs/${job.id}/control`, {
      method: 'POST',
      json: { action: 'pause', mode: 'hard' },
    });
    expect(paused.status).toBe(200);
    await expect.poll(async () => (await marksOf(page)).seen.paused, { timeout: 5_000 }).toBeDefined();
    await page.waitForTimeout(500);
    const resumeAt = Date.now();
    const resumed = await stack.api(`/api/queue/jobs/${job.id}/control`, {
      method: 'POST',
      json: { action: 'resume' },
    });
    expect(resumed.status).toBe(200);
    await expect.poll(async () => (await marksOf(page)).seen.resumed, { timeout: 5_000 }).toBeDefined();

    // (b) The second step, the run's end and its artifacts.
    await waitForStatus(stack, job.id, 'succeeded', 90_000);
    await expect.poll(async () => (await marksOf(page)).seen.artifact, { timeout: 10_000 }).toBeDefined();
    await expect
      .poll(() => page.getByTestId('transport').textContent(), { timeout: 10_000 })
      .toBe('stream ended');
    await page.waitForTimeout(3 * OLD_POLL_MS);
    const { seen, arrived } = await marksOf(page);
    const events = await listEvents(stack, job.id);
    const find = (type: string, payload: Record<string, unknown> = {}): JobEvent => {
      const e = events.find(
        (x) => x.type === type && Object.entries(payload).every(([k, v]) => x.payload[k] === v),
      );
      if (!e) throw new Error(`no ${type} event`);
      return e;
    };
    const latency = (mark: string, e: JobEvent) => ({
      fromCreated: seen[mark] - Date.parse(e.createdAt),
      fromArrival: seen[mark] - arrived[e.id],
    });
    const measured = {
      pause: { ...latency('paused', find('control.paused')), fromApiCall: seen.paused - pauseAt },
      resume: { ...latency('resumed', find('control.resumed')), fromApiCall: seen.resumed - resumeAt },
      step2: latency('step2', find('task.step.started', { stepIndex: 1 })),
      finished: latency('succeeded', find('run.finished')),
      // Every upload is done when the run ends (the execute stage's own event may beat its upload).
      artifact: latency('artifact', find('run.finished')),
      artifactAfterExecuteFinished: latency('artifact', find('moonmind.task.execute.finished')),
    };
    console.log(`[live-detail] latencies (ms): ${JSON.stringify(measured)}`);
    for (const [what, m] of Object.entries(measured)) {
      if (what === 'artifactAfterExecuteFinished') continue;
      // From the event to the screen, well under the old 2 s poll; from the event reaching the browser,
      // a fraction of that (the target is 250 ms; the shared test machine gets some slack).
      expect(Number.isFinite(m.fromCreated), what).toBe(true);
      expect(m.fromCreated, what).toBeLessThan(1_000);
      if (what === 'artifact') continue;
      expect(m.fromArrival, what).toBeLessThan(500);
    }
    expect(measured.pause.fromApiCall).toBeLessThan(1_000);
    expect(measured.resume.fromApiCall).toBeLessThan(1_000);

    // Event-driven: about one view request per event that changes it (bursts coalesce), nothing in the quiet
    // window, nothing once the run has ended.
    const opened = gets[0].at;
    const changing = events.filter((e) => Date.parse(e.createdAt) >= opened - 1_000);
    const jobEvents = changing.filter((e) => staleAfter(e).job).length;
    const artifactEvents = changing.filter((e) => staleAfter(e).artifacts).length;
    // Plus, at most, one more after each activity's end, once its uploads have settled.
    const uploadEvents = changing.filter((e) => staleAfter(e).uploading).length;
    const jobGets = getsBetween(opened, Date.now(), 'job');
    const artifactGets = getsBetween(opened, Date.now(), 'artifacts');
    console.log(
      `[live-detail] requests: ${jobGets} job GETs for ${jobEvents} view events, ${artifactGets} artifact GETs for ${artifactEvents} artifact events (${uploadEvents} activity ends), over ${Math.round((Date.now() - opened) / 1000)} s`,
    );
    expect(jobGets).toBeLessThanOrEqual(jobEvents + 2);
    expect(artifactGets).toBeLessThanOrEqual(artifactEvents + uploadEvents + 2);
    expect(getsBetween(seen.succeeded + 1_500, Date.now())).toBe(0);
    await page.close();
  });

  it('polls the view every 2 s only while the stream is down, and stops once the stream is back', async () => {
    const page = await browser.newPage({ baseURL: stack.apiUrl });
    await page.goto('/sign-in');
    await page.getByLabel(/token/i).fill(stack.adminToken);
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.waitForURL(/\/tasks/);
    const job = await submitJob(stack, {
      repository: 'octo/live',
      task: { instructions: 'Long', publish: { mode: 'none' }, steps: [{ instructions: 'FAKE_SLEEP=120' }] },
    });
    const jobGets: number[] = [];
    page.on('request', (r) => {
      if (r.method() === 'GET' && new URL(r.url()).pathname === `/api/queue/jobs/${job.id}`)
        jobGets.push(Date.now());
    });
    const count = async (ms: number) => {
      const from = Date.now();
      await page.waitForTimeout(ms);
      return jobGets.filter((t) => t >= from).length;
    };

    await page.route('**/events/stream*', (route) => route.abort());
    await page.goto(`/tasks/queue/${job.id}`);
    await expect.poll(() => page.getByTestId('transport').textContent(), { timeout: 20_000 }).toBe('polling');
    await expect
      .poll(() => page.getByTestId('log-viewport').textContent(), { timeout: 60_000 })
      .toContain('working 1');
    // Stream down: the old 2 s polling is the fallback (log lines alone trigger nothing).
    expect(await count(3 * OLD_POLL_MS + 500)).toBeGreaterThanOrEqual(2);

    await page.unrouteAll();
    await expect
      .poll(() => page.getByTestId('transport').textContent(), { timeout: 60_000 })
      .toBe('live (SSE)');
    await page.waitForTimeout(500); // the one refresh on reconnecting
    expect(await count(3 * OLD_POLL_MS + 500)).toBe(0);

    // A cancel from elsewhere shows at once and ends the page's requests.
    const cancelAt = Date.now();
    expect((await stack.api(`/api/queue/jobs/${job.id}/cancel`, { method: 'POST', json: {} })).status).toBe(
      200,
    );
    await expect.poll(() => page.getByTestId('cancel-requested').isVisible(), { timeout: 5_000 }).toBe(true);
    const cancelShown = Date.now() - cancelAt;
    await expect
      .poll(() => page.getByTestId('job-summary').getByTestId('status-badge').getAttribute('data-status'), {
        timeout: 60_000,
      })
      .toBe('cancelled');
    console.log(
      `[live-detail] cancel requested shown ${cancelShown} ms after the API call (polled by the test)`,
    );
    // Event-driven (polling stopped above); the slack is for the shared, loaded test machine.
    expect(cancelShown).toBeLessThan(3_000);
    // The workers' last events may follow the run's end; once the stream has ended, nothing is asked for.
    await expect
      .poll(() => page.getByTestId('transport').textContent(), { timeout: 10_000 })
      .toBe('stream ended');
    await page.waitForTimeout(1_000);
    // No polling any more (every 2 s would be three requests here); at most one refresh when the stream's
    // end raced the run's last events on a loaded machine.
    expect(await count(3 * OLD_POLL_MS)).toBeLessThanOrEqual(1);
    await page.close();
  });
});
