import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrchestratorRunList, OrchestratorRunView } from '../../contracts/orchestrator.ts';
import { createServiceFixture, type ServiceFixture } from '../orchestrator/service-fixture.ts';
import { seedRun } from '../support/orchestrator-api.ts';
import { type Stack, startStack } from '../support/stack.ts';

/**
 * The Orchestrator pages in a real Chromium against the real stack: a worker claiming `orchestrator` runs
 * the fake agent against real local services (test/orchestrator/service-fixture.ts, the process runner).
 * The form checks its fields, then starts a run that fixes a service: the run page follows it live to
 * succeeded with the plan, the steps and their logs, the diff. A protected service's run waits with the
 * approval banner: a viewer cannot approve, an operator approves in the page and the plan names them.
 * Cancel from the page; a patch that breaks health is rolled back with its reason shown; the list's status
 * filter (in the URL) finds the runs by status; Retry reuses a finished run's plan.
 */
const chromiumPath = '/usr/bin/chromium';
const shots = 'test-results/screenshots';
/** A run's steps on a loaded machine: generous. */
const RUN_TIMEOUT = 180_000;
const APPROVAL_TOKEN_VAR = 'ORCH_BROWSER_APPROVAL_TOKEN';

/** The fake agent's directive: the patch step writes these files (test/fakes/fake-agent.mjs). */
const edits = (files: Record<string, string>) => `FAKE_EDITS=${encodeURIComponent(JSON.stringify(files))}`;
const healthyConfig = (port: number) => `${JSON.stringify({ port, healthy: true }, null, 2)}\n`;

describe.skipIf(!existsSync(chromiumPath) && !process.env.CI)('orchestrator pages in a browser', () => {
  let fixture: ServiceFixture;
  let stack: Stack;
  let browser: Browser;
  let operator: BrowserContext;
  let viewer: BrowserContext;
  let page: Page;
  const approvalToken = `approve-${Date.now()}`;
  /** The run that fixed `shop` (retried at the end). */
  let fixedRunId = '';

  const runs = async (status?: string) =>
    (
      (await (
        await stack.api(`/api/orchestrator/runs${status ? `?status=${status}` : ''}`)
      ).json()) as OrchestratorRunList
    ).items;
  const runOf = async (runId: string) =>
    (await (await stack.api(`/api/orchestrator/runs/${runId}`)).json()) as OrchestratorRunView;
  const runIdOf = (p: Page) => p.url().split('/').pop() ?? '';
  const statusOf = (p: Page) => p.getByTestId('run-status').getAttribute('data-status');

  const signedIn = async (token: string) => {
    const context = await browser.newContext({
      baseURL: stack.apiUrl,
      viewport: { width: 1280, height: 900 },
    });
    const res = await context.request.post('/api/auth/session', { data: { token } });
    expect(res.ok()).toBe(true);
    return context;
  };

  beforeAll(async () => {
    fixture = await createServiceFixture([
      { name: 'shop', broken: 'unhealthy' },
      // A build that prints a line every half second for 15 s: its log is read live, then cancelled (the rollback builds again).
      {
        name: 'slow',
        profile: {
          build: { command: 'i=0; while [ $i -lt 30 ]; do echo "building $i"; i=$((i+1)); sleep 0.5; done' },
        },
      },
      {
        name: 'ledger',
        broken: 'unhealthy',
        protected: true,
        profile: { approvalToken: `env://${APPROVAL_TOKEN_VAR}` },
      },
    ]);
    const profiles = { MOONMIND_SERVICE_PROFILES: fixture.profilesFile };
    stack = await startStack({ apiEnv: { ...profiles, [APPROVAL_TOKEN_VAR]: approvalToken } });
    await stack.startWorker({
      pool: 'services',
      capabilities: ['orchestrator', 'codex'],
      jobTypes: ['orchestrator'],
      env: profiles,
    });
    await mkdir(shots, { recursive: true });
    // A viewer: reads everything, approves nothing.
    const user = await (
      await stack.api('/api/admin/users', { method: 'POST', json: { name: 'vera', role: 'viewer' } })
    ).json();
    const { token: viewerToken } = await (
      await stack.api(`/api/admin/users/${user.id}/tokens`, { method: 'POST', json: { name: 'browser' } })
    ).json();
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    operator = await signedIn(stack.adminToken);
    viewer = await signedIn(viewerToken);
    page = await operator.newPage();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await fixture?.close();
  });

  it('checks the form before submitting and shows the API’s answer on the field after', async () => {
    await page.goto('/tasks');
    await page.getByTestId('nav-orchestrator').click();
    await page.waitForURL(/\/tasks\/orchestrator$/);
    await page.getByTestId('runs-empty').waitFor();
    await page.getByTestId('new-orchestrator-run').click();
    await page.waitForURL(/\/tasks\/orchestrator\/new$/);
    // The profiles' services, the protected one marked.
    await expect
      .poll(() => page.getByTestId('field-targetService').locator('option').allTextContents())
      .toEqual(['Pick a service…', 'shop (process)', 'slow (process)', 'ledger (process) · protected']);

    await page.getByTestId('submit-run').click();
    expect(await page.getByTestId('error-targetService').textContent()).toBe('pick a service');
    expect(await page.getByTestId('error-instruction').textContent()).toBe('is required');
    expect(await page.locator('#targetService').evaluate((el) => el === document.activeElement)).toBe(true);
    // Fixing a field clears its message at once.
    await page.getByTestId('field-targetService').selectOption('ledger');
    await expect.poll(() => page.getByTestId('error-targetService').count()).toBe(0);
    expect(await page.getByTestId('error-summary').textContent()).toContain('Instruction: is required');

    // A wrong token is the API's to judge: 403, shown on the token field; nothing started.
    await page.getByTestId('field-instruction').fill('Fix the ledger health check');
    await page.getByTestId('field-approvalToken').fill('not-the-token');
    await page.getByTestId('submit-run').click();
    await expect.poll(() => page.getByTestId('error-approvalToken').textContent()).toContain('wrong');
    expect(await page.locator('#approvalToken').evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await runs()).toEqual([]);
  });

  it('starts a run that fixes the service and follows it live to succeeded: plan, steps, logs, diff', async () => {
    const shop = fixture.services.shop;
    expect(await shop.healthStatus()).not.toBe(200);
    await page.goto('/tasks/orchestrator/new');
    await page.getByTestId('field-targetService').selectOption('shop');
    // Not protected: no token to give.
    expect(await page.getByTestId('field-approvalToken').count()).toBe(0);
    await page
      .getByTestId('field-instruction')
      .fill(
        `The health check answers 503: fix config.json ${edits({ 'config.json': healthyConfig(shop.port) })}`,
      );
    await page.getByTestId('field-priority').selectOption('high');
    await page.getByTestId('submit-run').click();
    await page.waitForURL(/\/tasks\/orchestrator\/[0-9a-f-]{36}$/);
    const runId = runIdOf(page);
    fixedRunId = runId;

    // The page follows the run by itself (event stream, else polling): no reload.
    await expect.poll(() => statusOf(page), { timeout: RUN_TIMEOUT, interval: 500 }).toBe('succeeded');
    expect(await shop.healthStatus()).toBe(200);
    const run = await runOf(runId);
    expect(run).toMatchObject({ status: 'succeeded', priority: 'high', targetService: 'shop' });

    // The plan.
    expect(await page.getByTestId('plan-service').textContent()).toBe('shop');
    expect(await page.getByTestId('plan-files').textContent()).toContain('config.json');
    expect(await page.getByTestId('plan-rationale').textContent()).toBe(run.plan?.rationale);
    expect(await page.getByTestId('plan-approver').textContent()).toBe('—');

    // Every step succeeded, in order; no rollback.
    for (const step of ['analyze', 'patch', 'build', 'restart', 'verify'])
      expect(await page.getByTestId(`step-${step}`).getAttribute('data-outcome')).toBe('succeeded');
    expect(await page.getByTestId('step-rollback').count()).toBe(0);
    const order = await page
      .locator('[data-testid^="step-"][data-outcome]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    expect(order).toEqual(['step-analyze', 'step-patch', 'step-build', 'step-restart', 'step-verify']);

    // Each step's log, opened from the keyboard: the kept artifact.
    const verify = page.getByTestId('step-verify');
    await verify.getByTestId('step-log-toggle').focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => verify.getByTestId('step-log').textContent(), { timeout: 15_000 })
      .toMatch(/health|200/);
    const build = page.getByTestId('step-build');
    await build.getByTestId('step-log-toggle').click();
    await expect
      .poll(() => build.getByTestId('step-log').textContent())
      .not.toMatch(/^(Loading…|No output yet\.)$/);
    expect(await build.getByTestId('step-log-toggle').textContent()).toContain('build.log');

    // The diff, with +/- lines.
    const lines = (kind: string) =>
      page.locator(`.diff-${kind}`).evaluateAll((els) => els.map((e) => e.textContent?.trimEnd()));
    await expect.poll(() => lines('add')).toContain('+  "healthy": true');
    expect(await lines('del')).toContain('-  "healthy": false');
    expect(await page.getByTestId('diff-stat').textContent()).toBe('+1 −1 in 1 file');
    await page.screenshot({ path: `${shots}/orchestrator-succeeded.png`, fullPage: true });

    // Finished: Retry is offered, Cancel is not.
    expect(await page.getByTestId('retry-run').isEnabled()).toBe(true);
    expect(await page.getByTestId('cancel-run').count()).toBe(0);
  });

  it('waits for an approval: a viewer cannot approve, an operator approves in the page, the plan names them', async () => {
    const ledger = fixture.services.ledger;
    await page.goto('/tasks/orchestrator/new');
    await page.getByTestId('field-targetService').selectOption('ledger');
    await page
      .getByTestId('field-instruction')
      .fill(`Fix the ledger health check ${edits({ 'config.json': healthyConfig(ledger.port) })}`);
    await page.getByTestId('submit-run').click();
    await page.waitForURL(/\/tasks\/orchestrator\/[0-9a-f-]{36}$/);
    const runId = runIdOf(page);
    await expect
      .poll(() => statusOf(page), { timeout: RUN_TIMEOUT, interval: 500 })
      .toBe('awaiting_approval');
    const banner = page.getByTestId('approval-banner');
    await banner.waitFor();
    // The plan is there to judge; nothing is patched yet.
    expect(await page.getByTestId('plan-files').textContent()).toContain('config.json');
    expect(await page.getByTestId('step-patch').getAttribute('data-outcome')).toBe('pending');

    const viewerPage = await viewer.newPage();
    await viewerPage.goto(`/tasks/orchestrator/${runId}`);
    const viewerBanner = viewerPage.getByTestId('approval-banner');
    await viewerBanner.waitFor();
    expect(await viewerBanner.getByTestId('approve').isDisabled()).toBe(true);
    expect(await viewerBanner.getByTestId('approval-reason').textContent()).toBe(
      'Your role can read runs but not approve them.',
    );
    expect(await viewerBanner.getByTestId('approval-token').count()).toBe(0);
    expect(await viewerPage.getByTestId('cancel-run').isDisabled()).toBe(true);

    // The service has a token: Approve waits for it.
    expect(await banner.getByTestId('approve').isDisabled()).toBe(true);
    expect(await banner.getByTestId('approval-reason').textContent()).toContain('token');
    await page.screenshot({ path: `${shots}/orchestrator-approval.png`, fullPage: true });
    await banner.getByTestId('approval-token').fill(approvalToken);
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByTestId('plan-approver').textContent(), { timeout: 30_000 })
      .toContain('admin');
    expect(await page.getByTestId('plan-approver').textContent()).toContain('token verified');
    await expect.poll(() => page.getByTestId('approval-banner').count()).toBe(0);
    await expect.poll(() => statusOf(page), { timeout: RUN_TIMEOUT, interval: 500 }).toBe('succeeded');
    expect((await runOf(runId)).plan?.approval).toMatchObject({ actor: 'admin', tokenVerified: true });
    expect(await ledger.healthStatus()).toBe(200);
    // The viewer's page followed along: approved, no banner.
    await expect
      .poll(() => viewerPage.getByTestId('plan-approver').textContent(), { timeout: 30_000 })
      .toContain('admin');
    await viewerPage.close();
  });

  it('cancels a waiting run, rolls back a patch that breaks health; the list filter (in the URL) finds runs by status', async () => {
    await page.goto('/tasks/orchestrator/new');
    await page.getByTestId('field-targetService').selectOption('ledger');
    await page.getByTestId('field-instruction').fill('Look at the ledger again');
    await page.getByTestId('submit-run').click();
    await page.waitForURL(/\/tasks\/orchestrator\/[0-9a-f-]{36}$/);
    const runId = runIdOf(page);
    await expect
      .poll(() => statusOf(page), { timeout: RUN_TIMEOUT, interval: 500 })
      .toBe('awaiting_approval');
    await page.getByTestId('cancel-run').click();
    await page.getByTestId('confirm-yes').click();
    await expect.poll(() => statusOf(page), { timeout: 60_000, interval: 500 }).toBe('failed');
    expect(await page.getByTestId('run-error').textContent()).toContain('cancel');

    // A patch that breaks health: verify fails, the patch is rolled back, the page says why.
    const shop = fixture.services.shop;
    await page.goto('/tasks/orchestrator/new');
    await page.getByTestId('field-targetService').selectOption('shop');
    await page
      .getByTestId('field-instruction')
      .fill(
        `Turn the health flag off ${edits({ 'config.json': JSON.stringify({ port: shop.port, healthy: false }) })}`,
      );
    await page.getByTestId('submit-run').click();
    await page.waitForURL(/\/tasks\/orchestrator\/[0-9a-f-]{36}$/);
    const rolledBackId = runIdOf(page);
    await expect.poll(() => statusOf(page), { timeout: RUN_TIMEOUT, interval: 500 }).toBe('rolled_back');
    expect(await page.getByTestId('step-verify').getAttribute('data-outcome')).toBe('failed');
    expect(await page.getByTestId('step-rollback').getAttribute('data-outcome')).toBe('succeeded');
    const reason = (await runOf(rolledBackId)).rollbackReason;
    expect(reason).toBeTruthy();
    expect(await page.getByTestId('rollback-reason').textContent()).toBe(`Rolled back: ${reason}`);
    expect(await shop.healthStatus()).toBe(200);
    await expect
      .poll(() => page.getByTestId('diff-stat').textContent())
      .toContain('reverted by the rollback');
    await page.screenshot({ path: `${shots}/orchestrator-rolled-back.png`, fullPage: true });

    await page.goto('/tasks/orchestrator');
    await expect.poll(() => page.getByTestId('orchestrator-run-row').count()).toBe(4);
    await page.getByTestId('filter-status').selectOption('failed');
    await page.waitForURL(/\/tasks\/orchestrator\?status=failed$/);
    await expect
      .poll(() =>
        page
          .getByTestId('orchestrator-run-row')
          .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-run-id'))),
      )
      .toEqual([runId]);
    // The filter is in the URL: a reload shows the same list.
    await page.reload();
    await expect.poll(() => page.getByTestId('orchestrator-run-row').count()).toBe(1);
    expect(await page.getByTestId('filter-status').inputValue()).toBe('failed');
    await page.getByTestId('filter-status').selectOption('succeeded');
    await expect.poll(() => page.getByTestId('orchestrator-run-row').count()).toBe(2);
    expect((await runs('succeeded')).length).toBe(2);
    await page.getByTestId('filter-status').selectOption('rolled_back');
    await expect
      .poll(() =>
        page
          .getByTestId('orchestrator-run-row')
          .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-run-id'))),
      )
      .toEqual([rolledBackId]);
    await page.getByTestId('filter-status').selectOption('awaiting_approval');
    await page.getByTestId('runs-empty').waitFor();
    expect(await page.getByTestId('runs-empty').textContent()).toBe('No runs with this status.');
    await page.screenshot({ path: `${shots}/orchestrator-list.png` });
  });

  it('retries a finished run with its plan: analyze skipped, the new run links the old one', async () => {
    await page.goto(`/tasks/orchestrator/${fixedRunId}`);
    await page.getByTestId('retry-run').click();
    await page.waitForURL(
      (url) =>
        /\/tasks\/orchestrator\/[0-9a-f-]{36}$/.test(url.pathname) && !url.pathname.endsWith(fixedRunId),
    );
    expect(await page.getByTestId('retry-of').textContent()).toBe(fixedRunId);
    expect(await page.getByTestId('plan').textContent()).toContain('Reused from the run this one retries');
    await expect
      .poll(() => page.getByTestId('step-analyze').getAttribute('data-outcome'), { timeout: RUN_TIMEOUT })
      .toBe('skipped');
    expect(await page.getByTestId('step-analyze').getByTestId('step-detail').textContent()).toContain(
      fixedRunId,
    );
    const retried = await runOf(runIdOf(page));
    expect(retried.retryOf).toBe(fixedRunId);
    expect(retried.plan?.files).toEqual((await runOf(fixedRunId)).plan?.files);
  });

  it('pages the list: 25 runs, then Load more appends the rest', async () => {
    const before = (await runs()).length;
    const hourAgo = Date.now() - 3_600_000;
    for (let i = 0; i < 30; i++)
      await seedRun(stack.db.sql, {
        status: 'succeeded',
        service: 'shop',
        createdAt: new Date(hourAgo - i * 1000).toISOString(),
      });
    await page.goto('/tasks/orchestrator');
    await expect.poll(() => page.getByTestId('orchestrator-run-row').count()).toBe(25);
    await page.getByTestId('load-more').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('orchestrator-run-row').count()).toBe(before + 30);
    expect(await page.getByTestId('load-more').count()).toBe(0);
    const ids = await page
      .getByTestId('orchestrator-run-row')
      .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-run-id')));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("shows a running step's log live and cancels the run from the page", async () => {
    await page.goto('/tasks/orchestrator/new');
    await page.getByTestId('field-targetService').selectOption('slow');
    await page.getByTestId('field-instruction').fill(`Rebuild slow ${edits({ 'src/touch.txt': 'x\n' })}`);
    await page.getByTestId('submit-run').click();
    await page.waitForURL(/\/tasks\/orchestrator\/[0-9a-f-]{36}$/);
    const build = page.getByTestId('step-build');
    await expect.poll(() => build.getAttribute('data-outcome'), { timeout: RUN_TIMEOUT }).toBe('running');
    await build.getByTestId('step-log-toggle').click();
    // Lines of the build as it prints them (the run's events), before the step has kept its log.
    await expect
      .poll(() => build.getByTestId('step-log').textContent(), { timeout: 20_000 })
      .toMatch(/building 2/);
    expect(await build.getAttribute('data-outcome')).toBe('running');
    expect(await build.getByTestId('step-log-toggle').textContent()).toBe('Log');
    // Over the run's event stream, not polling.
    expect(await page.getByTestId('transport').getAttribute('data-transport')).toBe('sse');

    await page.getByTestId('cancel-run').click();
    await page.getByTestId('confirm-yes').click();
    await expect.poll(() => statusOf(page), { timeout: 60_000, interval: 500 }).toBe('failed');
    expect(await build.getAttribute('data-outcome')).not.toBe('succeeded');
    expect(await page.getByTestId('run-error').textContent()).toContain('cancel');
    expect(await page.getByTestId('cancel-run').count()).toBe(0);
    // Once kept, the log is the artifact: the lines up to the cancel.
    await expect
      .poll(() => build.getByTestId('step-log-toggle').textContent(), { timeout: 15_000 })
      .toContain('build.log');
    await expect.poll(() => build.getByTestId('step-log').textContent()).toMatch(/^building 0\nbuilding 1\n/);
  });

  it('offers the publish mode, and shows where a fix was published or why it was not', async () => {
    await page.goto('/tasks/orchestrator/new');
    const modes = await page
      .getByTestId('field-publish')
      .locator('option')
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(modes).toEqual(['none', 'branch', 'pr']);
    const published = await seedRun(stack.db.sql, { status: 'succeeded', service: 'shop' });
    const prUrl = 'https://github.example/acme/shop/pull/7';
    await stack.db.sql`
      UPDATE orchestrator_runs SET state = state || ${stack.db.sql.json({
        publishMode: 'pr',
        branch: 'moonmind/orchestrator-12345678',
        prUrl,
      })} WHERE id = ${published}`;
    await page.goto(`/tasks/orchestrator/${published}`);
    await expect
      .poll(() => page.getByTestId('publish-branch').textContent())
      .toBe('moonmind/orchestrator-12345678');
    expect(await page.getByTestId('publish-pr').getAttribute('href')).toBe(prUrl);
    const unpublished = await seedRun(stack.db.sql, { status: 'succeeded', service: 'shop' });
    await stack.db.sql`
      UPDATE orchestrator_runs SET state = state || ${stack.db.sql.json({
        publishMode: 'branch',
        publishError: 'git push failed: remote rejected',
      })} WHERE id = ${unpublished}`;
    await page.goto(`/tasks/orchestrator/${unpublished}`);
    await expect
      .poll(() => page.getByTestId('publish-error').textContent())
      .toBe('publish failed: git push failed: remote rejected');
    expect(await statusOf(page)).toBe('succeeded');
  });
});
