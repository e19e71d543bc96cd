import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_REPOSITORY } from '../../scripts/demo.ts';
import { until } from '../api/harness.ts';
import { type Launcher, startLauncher } from '../chaos/launcher.ts';
import { type OtlpReceiver, startOtlpReceiver } from '../fakes/otlp-receiver.ts';
import { submitJob, waitForStatus } from '../support/jobs.ts';

/**
 * The one switch: `npm start` with nothing but the standard OTEL_EXPORTER_OTLP_ENDPOINT set (pointing at a
 * collector double) has its API and its worker processes export a run's spans there over OTLP/HTTP, both
 * halves in one trace.
 */
describe('npm start with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  let workdir: string;
  let launcher: Launcher;
  let collector: OtlpReceiver;
  beforeAll(async () => {
    collector = await startOtlpReceiver();
    workdir = await mkdtemp(path.join(os.tmpdir(), 'mm-otlp-'));
    // As root, PostgreSQL and the agents run as their own users: they pass through here to their dirs.
    await chmod(workdir, 0o711);
    // A short batch delay (a standard variable the SDK reads) so spans arrive while the test waits.
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '200' };
    launcher = await startLauncher({ workdir, label: 'otlp', env });
  });
  afterAll(async () => {
    await launcher?.stop();
    await collector?.close();
    if (workdir) await rm(workdir, { recursive: true, force: true });
  });

  it('exports the submission and the agent process of a demo run, from the API and the worker, in one trace', async () => {
    const job = await submitJob(launcher, {
      repository: DEMO_REPOSITORY,
      task: { instructions: 'Tidy the README', publish: { mode: 'branch' } },
    });
    expect((await waitForStatus(launcher, job.id, 'succeeded')).status).toBe('succeeded');
    const submission = await until('the submission span', async () =>
      collector.spans.find((s) => s.name === 'POST /api/queue/jobs'),
    );
    expect(submission.service).toBe('moonmind-api');
    expect(submission.parentSpanId).toBe('');
    const agent = await until('the agent process span', async () =>
      collector.spans.find((s) => s.name === 'agent process' && s.traceId === submission.traceId),
    );
    expect(agent.service).toBe('moonmind-worker');
    // Each process exports on its own schedule (the workflow's span, from the control worker, may come last).
    const wanted = ['StartWorkflow:taskRun', 'RunWorkflow:taskRun', 'RunActivity:prepare', 'git push'];
    const namesInTrace = () =>
      new Set(collector.spans.filter((s) => s.traceId === submission.traceId).map((s) => s.name));
    await until("the run's spans", async () => wanted.every((n) => namesInTrace().has(n)) || undefined).catch(
      () => undefined,
    );
    for (const name of wanted) expect(namesInTrace()).toContain(name);
    expect(
      collector.requests.every((r) => r.path === '/v1/traces' && r.contentType === 'application/json'),
    ).toBe(true);
  });
});
