import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Readable } from 'node:stream';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestArtifact } from '../../api/artifacts/ingest.ts';
import { directoryArtifactStore } from '../../api/artifacts/store.ts';
import type { OrchestratorRunInput } from '../../contracts/orchestrator.ts';
import type { OrchestratorRunState } from '../../contracts/orchestrator-run.ts';
import { initialState, insertRun, recordState } from '../../db/orchestrator-runs.ts';
import { directoryManifest } from '../manifest/engine.ts';
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
const MANIFEST = 'screens-docs';
const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const sizes = [
  { name: '1280', width: 1280, height: 900 },
  { name: '360', width: 360, height: 800 },
] as const;
const themes = ['light', 'dark'] as const;

/**
 * Orchestrator runs as their rows and artifacts hold them (no service to run here: the pages only read
 * what the workflow reported): one waiting for approval, one rolled back with its diff.
 */
async function seedOrchestratorRuns(stack: Stack) {
  const at = (s: number) => new Date(Date.now() - 600_000 + s * 1000).toISOString();
  const plan = {
    targetService: 'billing',
    healthUrl: 'http://127.0.0.1:8081/health',
    composeProject: 'shop',
    steps: [
      { name: 'analyze' as const, description: 'read the build and runtime logs' },
      { name: 'patch' as const, description: 'set the port in config.json back to 8081' },
      { name: 'build' as const, description: '' },
      { name: 'restart' as const, description: '' },
      { name: 'verify' as const, description: 'GET /health until 200' },
    ],
    files: ['config.json'],
    rationale: 'The server listens on 8080 since the last deploy; the health check probes 8081.',
  };
  const seed = async (runId: string, state: Partial<OrchestratorRunState>) => {
    const input: OrchestratorRunInput = {
      runId,
      instruction: 'The health check fails since the port changed: fix the config',
      targetService: 'billing',
      runner: 'compose',
      priority: 'high',
      submittedBy: { id: 'admin', name: 'admin' },
      submittedAt: at(0),
      approval: null,
      retry: null,
      approvalTimeoutSeconds: 3600,
    };
    await insertRun(stack.db.sql, input);
    await recordState(stack.db.sql, { ...initialState(input), startedAt: at(1), plan, ...state });
  };
  const step = (
    name: OrchestratorRunState['steps'][number]['name'],
    from: number,
    outcome = 'succeeded',
  ) => ({
    name,
    outcome: outcome as 'succeeded',
    startedAt: at(from),
    finishedAt: at(from + 3),
    detail: outcome === 'failed' ? 'health 503 after 9 probes in 5.0 s' : 'exit 0',
  });
  const awaiting = '0b1f4a52-6d7e-4c1a-9d7e-3f1a2b3c4d01';
  const rolledBack = '0b1f4a52-6d7e-4c1a-9d7e-3f1a2b3c4d02';
  await seed(awaiting, { status: 'awaiting_approval', steps: [step('analyze', 2)] });
  await seed(rolledBack, {
    status: 'rolled_back',
    finishedAt: at(40),
    rollbackReason: 'verify failed: health 503 after 9 probes in 5.0 s',
    steps: [
      step('analyze', 2),
      step('patch', 6),
      step('build', 10),
      step('restart', 14),
      step('verify', 18, 'failed'),
      step('rollback', 24),
    ],
  });
  const diff = [
    'diff --git a/config.json b/config.json',
    '--- a/config.json',
    '+++ b/config.json',
    '@@ -1,4 +1,4 @@',
    ' {',
    '-  "port": 8080,',
    '+  "port": 8081,',
    '   "healthy": true',
    ' }',
    '',
  ].join('\n');
  await ingestArtifact(
    {
      sql: stack.db.sql,
      artifacts: directoryArtifactStore(path.join(stack.dataDir, 'artifacts')),
      maxBytes: 1e6,
    },
    rolledBack,
    'patch.diff',
    'text/x-diff',
    Readable.from([diff]),
  );
  return { awaiting, rolledBack };
}

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
  let orchestrator: { awaiting: string; rolledBack: string };

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
    orchestrator = await seedOrchestratorRuns(stack);
    // A registry manifest for the Manifests pages (never run here: its embedding URL answers nothing).
    const manifest = await stack.api(`/api/manifests/${MANIFEST}`, {
      method: 'PUT',
      json: {
        content: directoryManifest({ name: MANIFEST, dir: stack.dataDir, embedUrl: 'http://127.0.0.1:9' }),
      },
    });
    expect(manifest.ok).toBe(true);
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
    { name: 'orchestrator', path: '/tasks/orchestrator', ready: '[data-testid="orchestrator-run-row"]' },
    {
      name: 'orchestrator-new',
      path: '/tasks/orchestrator/new',
      ready: '[data-testid="orchestrator-form"]',
    },
    {
      name: 'orchestrator-approval',
      path: `/tasks/orchestrator/${orchestrator.awaiting}`,
      ready: '[data-testid="approval-banner"]',
    },
    {
      name: 'orchestrator-rolled-back',
      path: `/tasks/orchestrator/${orchestrator.rolledBack}`,
      ready: '.diff-add',
    },
    { name: 'manifests', path: '/tasks/manifests', ready: '[data-testid="manifest-row"]' },
    { name: 'manifest-new', path: '/tasks/manifests/new', ready: '[data-testid="manifest-form"]' },
    { name: 'manifest', path: `/tasks/manifests/${MANIFEST}`, ready: '[data-testid="manifest-checkpoints"]' },
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
