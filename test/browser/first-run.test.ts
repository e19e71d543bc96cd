import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_REPOSITORY } from '../../scripts/demo.ts';
import { type Launcher, startLauncher } from '../chaos/launcher.ts';

const run = promisify(execFile);
const chromiumPath = '/usr/bin/chromium';
const shots = 'test-results/screenshots';

/**
 * A newcomer's first run: `npm start` on a fresh data dir (no DATABASE_URL, no model, no forge, no settings),
 * sign in with the token it prints, submit the form as it comes, and get a finished run whose branch is in
 * the demo repository.
 */
describe.skipIf(!existsSync(chromiumPath) && !process.env.CI)('first run with the demo', () => {
  let workdir: string;
  let launcher: Launcher;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    workdir = await mkdtemp(path.join(os.tmpdir(), 'mm-first-run-'));
    // As root, PostgreSQL and the agents run as their own users: they pass through here to their dirs.
    await chmod(workdir, 0o711);
    // Only what the launcher helper needs (its own data dir and ports): every other setting is the default.
    launcher = await startLauncher({ workdir, label: 'first-run', env: {}, printedToken: true });
    await mkdir(shots, { recursive: true });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await (await browser.newContext({ baseURL: launcher.apiUrl })).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await launcher?.stop();
    if (workdir) await rm(workdir, { recursive: true, force: true });
  });

  it('runs the form defaults (demo runtime, demo repository, branch) to a pushed branch', async () => {
    expect(launcher.logs.join('\n')).toContain('demo:             on');
    await page.goto('/tasks/queue/new');
    await page.waitForURL(/\/sign-in/);
    await page.getByTestId('token-input').fill(launcher.token);
    await page.getByTestId('sign-in-submit').click();
    await page.waitForURL(/\/tasks\/queue\/new$/);

    // The form starts on the demo: nothing to choose.
    await expect.poll(() => page.getByTestId('field-repository').inputValue()).toBe(DEMO_REPOSITORY);
    expect(await page.getByTestId('field-runtime').inputValue()).toBe('demo');
    expect(await page.getByTestId('field-runtime').locator('option:checked').textContent()).toContain(
      'scripted, no model',
    );
    expect(await page.getByTestId('field-publishMode').inputValue()).toBe('branch');
    await page.locator('#step-0-instructions').fill('Say hello to the demo');
    await page.getByTestId('submit-task').click();
    await page.waitForURL(/\/tasks\/queue\/[0-9a-f-]{36}$/);

    const badge = page.getByTestId('job-summary').getByTestId('status-badge');
    await expect.poll(() => badge.getAttribute('data-status'), { timeout: 90_000 }).toBe('succeeded');
    await expect
      .poll(() => page.getByTestId('log-viewport').textContent(), { timeout: 20_000 })
      .toContain('demo agent: created DEMO.md');
    const branch = (await page.getByTestId('job-branch').textContent())?.trim() ?? '';
    expect(branch).toMatch(/^task\//);
    await page.screenshot({ path: `${shots}/first-run-demo.png`, fullPage: true });

    // The branch is in the demo repository, with the agent's change on it.
    const bare = path.join(launcher.dataDir, 'data', 'demo-git', `${DEMO_REPOSITORY}.git`);
    const git = (...args: string[]) => run('git', ['--git-dir', bare, ...args]).then((r) => r.stdout);
    expect(await git('branch', '--list', branch)).toContain(branch);
    expect(await git('show', `${branch}:DEMO.md`)).toContain('Say hello to the demo');
  });
});
