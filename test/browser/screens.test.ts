import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitRemote } from '../support/git.ts';
import { submitJob, waitForJob } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

/**
 * Every page of the dashboard at 1280×900 and 360×800, light and dark: a screenshot of each into
 * test-results/screenshots/<page>-<size>-<theme>.png, and axe-core's color-contrast rule (WCAG AA: 4.5:1 for
 * text, 3:1 for large text) run on each as the browser rendered it.
 */
const chromiumPath = '/usr/bin/chromium';
const shots = 'test-results/screenshots';
const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const sizes = [
  { name: '1280', width: 1280, height: 900 },
  { name: '360', width: 360, height: 800 },
] as const;
const themes = ['light', 'dark'] as const;

interface Violation {
  target: string;
  summary: string;
}

/** axe-core's color-contrast rule over the whole page; one entry per element that fails it. */
async function contrastViolations(page: Page): Promise<Violation[]> {
  await page.addScriptTag({ path: axeSource });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (...a: unknown[]) => Promise<unknown> } }).axe;
    const result = (await axe.run(document, {
      runOnly: { type: 'rule', values: ['color-contrast'] },
      resultTypes: ['violations'],
    })) as { violations: { nodes: { target: string[]; failureSummary: string }[] }[] };
    return result.violations.flatMap((v) =>
      v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    );
  });
}

describe.skipIf(!existsSync(chromiumPath) && !process.env.CI)('every page, both themes, two sizes', () => {
  let stack: Stack;
  let browser: Browser;
  let runningId: string;
  let finishedId: string;
  let proposalId: string;

  beforeAll(async () => {
    const remote = await createGitRemote(['octo/screens']);
    stack = await startStack();
    await stack.startWorker({
      pool: 'screens',
      capabilities: ['codex', 'git'],
      env: { MOONMIND_GIT_BASE_URL: remote.baseUrl },
    });
    await mkdir(shots, { recursive: true });
    const finished = await submitJob(stack, {
      repository: 'octo/screens',
      task: {
        instructions: 'FAKE_LINES=12',
        publish: { mode: 'none' },
        steps: [{ instructions: 'FAKE_LINES=12' }],
      },
    });
    finishedId = finished.id;
    // Running until the stack stops: its agent prints, then sleeps.
    const running = await submitJob(stack, {
      repository: 'octo/screens',
      task: { instructions: 'FAKE_LINES=40 FAKE_SLEEP=600', publish: { mode: 'none' } },
    });
    runningId = running.id;
    const proposal = await stack.api('/api/proposals', {
      method: 'POST',
      json: {
        title: 'Add retry tests',
        summary: 'The retry path has **no** tests.',
        category: 'tests',
        tags: ['ci'],
        taskCreateRequest: {
          type: 'task',
          payload: {
            repository: 'octo/screens',
            task: { instructions: 'Add tests', publish: { mode: 'none' } },
          },
        },
      },
    });
    const created = await proposal.json();
    proposalId = (created.proposal ?? created).id;
    const schedule = await stack.api('/api/schedules', {
      method: 'POST',
      json: {
        name: 'Weekday docs refresh',
        spec: { cron: '0 9 * * 1-5', timezone: 'Europe/Paris' },
        job: {
          type: 'task',
          payload: { repository: 'octo/screens', task: { instructions: 'Refresh the docs' } },
        },
        paused: true,
        note: 'paused until the docs move',
      },
    });
    expect(schedule.status).toBe(201);
    await waitForJob(stack, finishedId, (j) => j.status === 'succeeded');
    await waitForJob(stack, runningId, (j) => j.status === 'running' && j.stage === 'moonmind.task.execute');
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** Each page: where it is and what shows it has rendered its content. */
  const pages = () => [
    { name: 'queue', path: '/tasks/queue', ready: '[data-testid="job-row"]' },
    { name: 'new-task', path: '/tasks/queue/new', ready: '[data-testid="task-form"]' },
    { name: 'run-running', path: `/tasks/queue/${runningId}`, ready: '[data-testid="log-line"]' },
    {
      name: 'run-finished',
      path: `/tasks/queue/${finishedId}`,
      ready: '[data-testid="artifact-row"]',
    },
    { name: 'presets', path: '/tasks/presets', ready: '[data-testid="presets-list"]' },
    { name: 'proposals', path: '/tasks/proposals', ready: '[data-testid="proposal-row"]' },
    {
      name: 'proposal',
      path: `/tasks/proposals/${proposalId}`,
      ready: 'h1',
    },
    { name: 'schedules', path: '/tasks/schedules', ready: '[data-testid="schedule-card"]' },
    { name: 'schedule-new', path: '/tasks/schedules/new', ready: '[data-testid="schedule-form"]' },
  ];

  for (const theme of themes) {
    it(`${theme}: screenshots of every page, no text below WCAG AA contrast`, async () => {
      const context: BrowserContext = await browser.newContext({
        baseURL: stack.apiUrl,
        colorScheme: theme,
        viewport: sizes[0],
      });
      const page = await context.newPage();
      const failures: string[] = [];
      const check = async (name: string, size: (typeof sizes)[number]) => {
        // Transitions and the caret would make screenshots and colours differ run to run.
        await page.addStyleTag({ content: '*{transition:none!important;caret-color:transparent!important}' });
        await page.screenshot({ path: `${shots}/${name}-${size.name}-${theme}.png` });
        for (const v of await contrastViolations(page))
          failures.push(`${name} ${size.name} ${theme}: ${v.target}\n  ${v.summary}`);
      };

      for (const size of sizes) {
        await page.setViewportSize(size);
        await page.goto('/sign-in');
        await page.getByTestId('sign-in-form').waitFor();
        await check('sign-in', size);
      }
      const signIn = await context.request.post('/api/auth/session', { data: { token: stack.adminToken } });
      expect(signIn.ok()).toBe(true);
      for (const p of pages()) {
        for (const size of sizes) {
          await page.setViewportSize(size);
          await page.goto(p.path);
          await page.locator(p.ready).first().waitFor();
          await check(p.name, size);
        }
      }
      // An artifact's name wraps after its separators, never inside a word, and reads as written.
      await page.goto(`/tasks/queue/${finishedId}`);
      const name = page.locator('[data-testid="artifact-row"][data-name="logs/execute.log"] a');
      expect(await name.textContent()).toBe('logs/execute.log');
      expect(await name.innerHTML()).toBe('logs/<wbr>execute.<wbr>log');
      await context.close();
      expect(failures).toEqual([]);
    });
  }
});
