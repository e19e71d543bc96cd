import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../scripts/ports.ts';
import { findTemporalCli } from '../../scripts/temporal-cli.ts';
import { type DevServer, startDevServer } from '../../scripts/temporal-server.ts';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { listEvents, submitJob, waitForJob, waitForStatus } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

/**
 * Outages don't cost attempts (issue 9, point 6): the Temporal dev server is killed mid-step and kept down
 * for 30 s, longer than the 20 s step heartbeat timeout this product used to have. The step keeps running,
 * its heartbeats resume when the server is back, and the run succeeds on its first attempt.
 */
const OUTAGE_MS = 30_000;

describe('a Temporal outage in the middle of a step', () => {
  let server: DevServer;
  let stack: Stack;
  let remote: GitRemote;
  let dataDir: string;
  let cliPath: string;
  let port: number;
  let uiPort: number;
  const startServer = () =>
    startDevServer({ cliPath, dataDir, port, uiPort, headless: true, namespaces: ['outage'] });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'mm-outage-'));
    cliPath = (await findTemporalCli(() => {})).path;
    [port, uiPort] = [await freePort(), await freePort()];
    server = await startServer();
    remote = await createGitRemote(['octo/outage']);
    stack = await startStack({
      services: {
        temporalAddress: server.address,
        temporalUiUrl: 'http://localhost:1',
        adminDatabaseUrl: inject('adminDatabaseUrl'),
        namespace: 'outage',
      },
      workers: [
        { pool: 'outage', capabilities: ['codex', 'git'], env: { MOONMIND_GIT_BASE_URL: remote.baseUrl } },
      ],
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a step that spans it and one that ends during it both succeed on their first attempt, every line once', async () => {
    const submit = (seconds: number) =>
      submitJob(stack, {
        repository: 'octo/outage',
        task: {
          instructions: 'Work through an outage',
          publish: { mode: 'branch' },
          steps: [{ instructions: `FAKE_SLEEP=${seconds}` }],
        },
      });
    // One keeps printing across the outage (its heartbeats pause, then resume); the other ends while the
    // server is down (its result waits for the server).
    const jobs = [
      { job: await submit(45), lines: 80 },
      { job: await submit(12), lines: 20 },
    ];
    for (const { job } of jobs)
      await waitForJob(stack, job.id, (j) => j.status === 'running' && j.stage === 'moonmind.task.execute');
    server.process.kill('SIGKILL');
    await server.stop();
    // Meanwhile the API names Temporal as the dependency that is down.
    const ready = await stack.api('/readyz');
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: { temporal: { ok: boolean } } }).checks.temporal.ok).toBe(
      false,
    );
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    server = await startServer();

    for (const { job, lines } of jobs) {
      const done = await waitForStatus(stack, job.id, ['succeeded', 'failed', 'dead_letter'], 120_000);
      const events = await listEvents(stack, job.id);
      expect(events.filter((e) => e.type === 'run.attempt.failed').map((e) => e.message)).toEqual([]);
      expect(done).toMatchObject({ status: 'succeeded', attempt: 1 });
      const working = events
        .filter((e) => e.type === 'log')
        .map((e) => Number(/\bworking (\d+)\b/.exec(e.message)?.[1]))
        .filter((n) => n > 0);
      // Every line the agent printed, once, in order, outage or not.
      expect(working).toEqual(working.map((_, i) => i + 1));
      expect(working.length).toBeGreaterThanOrEqual(lines);
      expect(await remote.branches('octo/outage')).toContain(done.branch);
    }
  }, 240_000);
});
