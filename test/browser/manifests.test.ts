import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../contracts/job.ts';
import { isTerminal } from '../../contracts/status.ts';
import { type EmbeddingDouble, startEmbeddingDouble } from '../fakes/embedding-double.ts';
import { directoryManifest } from '../manifest/engine.ts';
import { type Stack, startStack } from '../support/stack.ts';

/**
 * The Manifests section in a real Chromium against the real stack: a worker claiming `manifest` (and the
 * capabilities a local-directory manifest derives) ingests a local directory through the embedding double
 * into the embedded pgvector. The editor marks a wrong reader type on its line; Save stores it; Plan shows
 * the counts; Run succeeds and its detail page shows the stage counts and the run summary; search finds a
 * chunk of the right file.
 */
const chromiumPath = '/usr/bin/chromium';
const shots = 'test-results/screenshots';
const RUN_TIMEOUT = 180_000;
const NAME = 'browser-docs';

const files: Record<string, string> = {
  'tides.md':
    '# Tides\n\nThe moon pulls the oceans: two high tides a day, spring tides at full and new moon.\n',
  'craters.md':
    '# Craters\n\nImpact craters cover the lunar highlands; the maria are younger basalt plains.\n',
  'orbit.md': '# Orbit\n\nThe moon orbits the earth every 27.3 days and always shows the same face.\n',
};

describe.skipIf(!existsSync(chromiumPath) && !process.env.CI)('manifest pages in a browser', () => {
  let dir: string;
  let embedder: EmbeddingDouble;
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let manifest: string;

  const jobOf = async (id: string) => (await (await stack.api(`/api/queue/jobs/${id}`)).json()) as JobView;
  /** The editor's text, set as a person would replace it (select all, type). */
  const setYaml = async (text: string) => {
    await page.getByTestId('manifest-yaml').fill(text);
  };
  const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mm-browser-manifest-'));
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    embedder = await startEmbeddingDouble({ dimensions: 64 });
    manifest = directoryManifest({ name: NAME, dir, embedUrl: embedder.url });
    stack = await startStack();
    await stack.startWorker({
      pool: 'manifests',
      capabilities: ['manifest', 'embeddings', 'openai', 'pgvector', 'local_fs'],
      jobTypes: ['manifest'],
    });
    await mkdir(shots, { recursive: true });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const context = await browser.newContext({
      baseURL: stack.apiUrl,
      viewport: { width: 1280, height: 900 },
    });
    expect(
      (await context.request.post('/api/auth/session', { data: { token: stack.adminToken } })).ok(),
    ).toBe(true);
    page = await context.newPage();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await embedder?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('marks a validation message on its line, then saves the fixed manifest', async () => {
    await page.goto('/tasks');
    await page.getByTestId('nav-manifests').click();
    await page.waitForURL(/\/tasks\/manifests$/);
    await page.getByTestId('manifests-empty').waitFor();
    await page.getByTestId('new-manifest').click();
    await page.waitForURL(/\/tasks\/manifests\/new$/);

    const wrong = manifest.replace('type: SimpleDirectoryReader', 'type: FloppyReader');
    await setYaml(wrong);
    const issue = page.getByTestId('manifest-issue');
    await expect.poll(() => issue.count()).toBe(1);
    expect(await issue.getAttribute('data-path')).toBe('dataSources[0].type');
    expect(Number(await issue.getAttribute('data-line'))).toBe(lineOf(wrong, 'FloppyReader'));
    expect(await page.getByTestId('gutter-issue').getAttribute('data-line')).toBe(
      String(lineOf(wrong, 'FloppyReader')),
    );
    // The message's button puts the cursor on that line.
    await issue.getByRole('button').click();
    const selected = await page
      .getByTestId('manifest-yaml')
      .evaluate((el: HTMLTextAreaElement) => el.value.slice(el.selectionStart, el.selectionEnd));
    expect(selected).toContain('FloppyReader');
    await page.screenshot({ path: `${shots}/manifest-editor-issue.png` });

    await setYaml(manifest);
    await expect.poll(() => issue.count()).toBe(0);
    await page.getByTestId('manifest-save').click();
    await page.waitForURL(new RegExp(`/tasks/manifests/${NAME}$`));
    await expect.poll(() => page.getByTestId('manifest-revision').textContent()).toContain('Revision 1');
  });

  it(
    'plans: documents, chunks and tokens from plan.json',
    async () => {
      await page.getByTestId('manifest-plan-button').click();
      const docs = page.getByTestId('plan-documents');
      await docs.waitFor({ timeout: RUN_TIMEOUT });
      expect(await docs.textContent()).toBe('3');
      expect(Number(await page.getByTestId('plan-chunks').textContent())).toBeGreaterThanOrEqual(3);
      expect(
        Number((await page.getByTestId('plan-tokens').textContent())?.replaceAll(',', '')),
      ).toBeGreaterThan(0);
    },
    RUN_TIMEOUT,
  );

  it(
    'runs: the job detail shows the stage counts and the run summary',
    async () => {
      await page.getByTestId('manifest-run-button').click();
      await page.getByTestId('manifest-run-started').getByRole('link').click();
      await page.waitForURL(/\/tasks\/queue\/[^/]+$/);
      const jobId = page.url().split('/').pop() ?? '';
      await expect
        .poll(async () => isTerminal((await jobOf(jobId)).status), {
          timeout: RUN_TIMEOUT - 30_000,
          interval: 1000,
        })
        .toBe(true);
      // A run that did not succeed says why in its events: the failed assertion shows them.
      if ((await jobOf(jobId)).status !== 'succeeded')
        expect(await (await stack.api(`/api/queue/jobs/${jobId}/events?limit=200`)).text()).toBe('succeeded');
      const facts = page.getByTestId('manifest-run-facts');
      await facts.getByTestId('summary-documents').waitFor({ timeout: 30_000 });
      expect(await facts.getByTestId('summary-documents').textContent()).toBe('3');
      expect(Number(await facts.getByTestId('summary-upserts').textContent())).toBeGreaterThanOrEqual(3);
      expect(await facts.getByTestId('summary-errors').textContent()).toBe('0');
      await expect
        .poll(() =>
          facts
            .locator('[data-testid="manifest-stage"]')
            .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-stage'))),
        )
        .toEqual(expect.arrayContaining(['fetch', 'embed', 'upsert']));
      expect(await facts.locator('[data-stage="fetch"]').textContent()).toContain('3');
      await page.screenshot({ path: `${shots}/manifest-run-detail.png`, fullPage: true });
    },
    RUN_TIMEOUT,
  );

  it('search returns a chunk of the matching file with its score', async () => {
    await page.goto(`/tasks/manifests/${NAME}`);
    await page.getByTestId('checkpoint-row').waitFor();
    await page.getByTestId('search-query').fill('spring tides at full and new moon');
    await page.getByTestId('search-submit').click();
    const first = page.getByTestId('search-hit').first();
    await first.waitFor();
    expect(await first.getByTestId('hit-source').textContent()).toContain('tides.md');
    expect(Number(await first.getByTestId('hit-score').textContent())).toBeGreaterThan(0);
    await page.screenshot({ path: `${shots}/manifest-search.png`, fullPage: true });
  });
});
