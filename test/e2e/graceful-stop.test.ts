import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../contracts/events.ts';
import { DEMO_REPOSITORY } from '../../scripts/demo.ts';
import { type Launcher, startLauncher } from '../chaos/launcher.ts';
import { waitMidStep } from '../chaos/runs.ts';
import { fakeAgentPath } from '../support/fake-agent-path.ts';
import { listEvents, submitJob, waitForStatus } from '../support/jobs.ts';

/**
 * Restarts don't eat runs: stopping `npm start` (Ctrl-C) or only its worker (SIGTERM) in the middle of a step
 * hands the attempt back; the run goes on after the next start with the same attempt, not a failed one. A run
 * page left open in Chromium through the restart catches up by itself.
 */
const chromiumPath = '/usr/bin/chromium';

describe('graceful stop', () => {
  let workdir: string;
  let launcher: Launcher;
  let browser: Browser | undefined;
  const env = { MOONMIND_CODEX_COMMAND: fakeAgentPath() };

  beforeAll(async () => {
    workdir = await mkdtemp(path.join(os.tmpdir(), 'mm-graceful-'));
    // As root, PostgreSQL and the agents run as their own users: they pass through here to their dirs.
    await chmod(workdir, 0o711);
    launcher = await startLauncher({ workdir, label: 'graceful', env });
    if (existsSync(chromiumPath) || process.env.CI)
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
  });
  afterAll(async () => {
    await browser?.close();
    await launcher?.stop();
    if (workdir) await rm(workdir, { recursive: true, force: true });
  });

  // The demo repository, with the fake agent as codex: a step that prints `working N` for `seconds`.
  const submitSlowRun = (seconds: number) =>
    submitJob(launcher, {
      repository: DEMO_REPOSITORY,
      targetRuntime: 'codex',
      task: {
        instructions: 'Graceful stop',
        publish: { mode: 'branch' },
        steps: [{ id: 'slow', title: 'Slow step', instructions: `FAKE_SLEEP=${seconds}` }],
      },
    });

  const of = (events: JobEvent[], type: string) => events.filter((e) => e.type === type);

  it('Ctrl-C of npm start mid-step, then npm start again: the run succeeds with attempt 1', async () => {
    const job = await submitSlowRun(8);
    await waitMidStep(launcher, job.id);
    const host = of(await listEvents(launcher, job.id), 'run.attempt.started')[0].payload.host as string;
    const page = await browser?.newPage({ baseURL: launcher.apiUrl });
    if (page) {
      await page.goto('/sign-in');
      await page.getByTestId('token-input').fill(launcher.token);
      await page.getByTestId('sign-in-submit').click();
      await page.waitForURL(/\/tasks/);
      await page.goto(`/tasks/queue/${job.id}`);
      await expect
        .poll(() => page.getByTestId('log-viewport').textContent(), { timeout: 30_000 })
        .toContain('working');
    }

    expect(await launcher.interrupt()).toBe(0);
    launcher = await startLauncher({ workdir, label: 'graceful', env, again: launcher });

    const done = await waitForStatus(launcher, job.id, ['succeeded', 'failed', 'dead_letter'], 120_000);
    expect(done).toMatchObject({ status: 'succeeded', attempt: 1 });
    expect(done.branch).toMatch(/^task\//);
    const events = await listEvents(launcher, job.id);
    expect(of(events, 'run.attempt.failed')).toEqual([]);
    expect(of(events, 'run.attempt.handed_back').map((e) => e.message)).toEqual([
      `attempt 1 handed back by ${host}: worker stopping; it runs again`,
    ]);
    expect(of(events, 'run.attempt.started').map((e) => e.payload.attempt)).toEqual([1, 1]);
    // The second start ran the whole step again: the agent's output went to the end.
    expect(events.some((e) => /\bworking 16\b/.test(e.message))).toBe(true);
    if (page) {
      // Never reloaded: the page saw the API go and come back, and shows the run's end by itself.
      const badge = page.getByTestId('job-summary').getByTestId('status-badge');
      await expect.poll(() => badge.getAttribute('data-status'), { timeout: 30_000 }).toBe('succeeded');
      expect(await page.getByTestId('api-banner').isVisible()).toBe(false);
      await page.close();
    }
  });

  it('SIGTERM to the worker alone mid-step: its restart runs the same attempt to success', async () => {
    const job = await submitSlowRun(4);
    await waitMidStep(launcher, job.id);
    process.kill(launcher.pid('worker-1')!, 'SIGTERM');

    const done = await waitForStatus(launcher, job.id, ['succeeded', 'failed', 'dead_letter'], 120_000);
    expect(done).toMatchObject({ status: 'succeeded', attempt: 1 });
    const events = await listEvents(launcher, job.id);
    expect(of(events, 'run.attempt.failed')).toEqual([]);
    expect(of(events, 'run.attempt.handed_back')).toHaveLength(1);
    expect(of(events, 'run.attempt.started').map((e) => e.payload.attempt)).toEqual([1, 1]);
  });
});
