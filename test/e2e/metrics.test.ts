import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../scripts/ports.ts';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { submitJob, waitForJob, waitForStatus } from '../support/jobs.ts';
import { type Exposition, parseExposition } from '../support/prom-text.ts';
import { type Stack, startStack } from '../support/stack.ts';

const metricsToken = `metrics-scrape-${randomBytes(12).toString('hex')}`;
const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

describe('Prometheus metrics of the API and a worker during a run (real Temporal, PostgreSQL, git)', () => {
  let stack: Stack;
  let remote: GitRemote;
  let apiListen: string;
  let workerUrl: string;
  beforeAll(async () => {
    remote = await createGitRemote(['octo/metrics']);
    const [listenPort, workerPort] = [await freePort(), await freePort()];
    apiListen = `http://127.0.0.1:${listenPort}/metrics`;
    workerUrl = `http://127.0.0.1:${workerPort}/metrics`;
    stack = await startStack({
      apiEnv: { MOONMIND_METRICS_TOKEN: metricsToken, MOONMIND_METRICS_LISTEN: `127.0.0.1:${listenPort}` },
      workers: [
        {
          pool: 'metered',
          env: {
            MOONMIND_GIT_BASE_URL: remote.baseUrl,
            MOONMIND_WORKER_METRICS_PORT: String(workerPort),
            MOONMIND_METRICS_TOKEN: metricsToken,
          },
        },
      ],
    });
    await waitFor('worker /metrics', async () => (await fetch(workerUrl).catch(() => null)) !== null, 60_000);
  });
  afterAll(() => stack?.stop());

  /** A scrape as Prometheus makes it, read with a strict parser of the text format. */
  const scrape = async (url: string): Promise<Exposition> => {
    const res = await fetch(url, { headers: { authorization: `Bearer ${metricsToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const parsed = parseExposition(text);
    // Bounded labels: no job id (no UUID at all) in any series.
    for (const s of parsed.samples) expect(JSON.stringify(s.labels), s.name).not.toMatch(uuid);
    return parsed;
  };
  const api = () => scrape(`${stack.apiUrl}/metrics`);
  const worker = () => scrape(workerUrl);

  it('refuses a scrape without the metrics token, on the API port, its own listener and the worker', async () => {
    for (const url of [`${stack.apiUrl}/metrics`, apiListen, workerUrl]) {
      expect((await fetch(url)).status, url).toBe(401);
      const wrong = await fetch(url, { headers: { authorization: `Bearer not-${metricsToken}` } });
      expect(wrong.status, url).toBe(401);
      // A user's API token is not the metrics token.
      const user = await fetch(url, { headers: { authorization: `Bearer ${stack.adminToken}` } });
      expect(user.status, url).toBe(401);
      expect((await scrape(url)).types.size).toBeGreaterThan(0);
    }
  });

  it('counts a run, its requests, stages, slots, events and artifacts, and merges Temporal SDK metrics', async () => {
    const runs = { runtime: 'codex', pool: 'metered' };
    const beforeApi = await api();
    const beforeWorker = await worker();
    const submitted = { method: 'POST', route: '/api/queue/jobs', status: '201' };

    const job = await submitJob(stack, {
      repository: 'octo/metrics',
      task: { instructions: 'FAKE_SLEEP=6 measure me', publish: { mode: 'branch' } },
    });
    // While the step runs: a slot used, one agent process, and a live event stream counted.
    const stream = new AbortController();
    const sse = await stack.api(`/api/queue/jobs/${job.id}/events/stream`, {
      signal: stream.signal,
      headers: { accept: 'text/event-stream' },
    });
    expect(sse.status).toBe(200);
    await waitForJob(stack, job.id, (j) => j.status === 'running' && j.stage === 'moonmind.task.execute');
    let during = await worker();
    await waitFor(
      'the agent process to be counted',
      async () => {
        during = await worker();
        return during.sum('moonmind_agent_processes', { pool: 'metered' }) === 1;
      },
      20_000,
      200,
    );
    expect(during.sum('moonmind_agent_processes', { pool: 'metered' })).toBe(1);
    expect(during.sum('moonmind_worker_slots', { pool: 'metered', state: 'used' })).toBe(1);
    expect(during.sum('moonmind_worker_slots', { pool: 'metered', state: 'free' })).toBe(1);
    const duringApi = await api();
    expect(duringApi.value('moonmind_sse_clients')).toBe(beforeApi.value('moonmind_sse_clients') + 1);
    expect(duringApi.value('moonmind_runs_started_total', runs)).toBe(
      beforeApi.value('moonmind_runs_started_total', runs) + 1,
    );

    const done = await waitForStatus(stack, job.id, ['succeeded', 'failed', 'dead_letter']);
    expect(done.status).toBe('succeeded');
    stream.abort();
    await (await stack.api(`/api/queue/jobs/${job.id}`)).text();

    const finished = { status: 'succeeded', ...runs };
    let after = await api();
    // Counted off the recording activity's path: give it a moment after the run ends.
    await waitFor(
      'the finished run to be counted',
      async () => {
        after = await api();
        return (
          after.value('moonmind_runs_finished_total', finished) >
          beforeApi.value('moonmind_runs_finished_total', finished)
        );
      },
      10_000,
      200,
    );
    const moved = (name: string, labels?: Record<string, string>) =>
      after.value(name, labels) - beforeApi.value(name, labels);
    expect(moved('moonmind_runs_finished_total', finished)).toBe(1);
    expect(moved('moonmind_runs_started_total', runs)).toBe(1);
    expect(moved('moonmind_run_duration_seconds_count', { status: 'succeeded', runtime: 'codex' })).toBe(1);
    expect(
      after.value('moonmind_run_duration_seconds_sum', { status: 'succeeded', runtime: 'codex' }),
    ).toBeGreaterThan(
      beforeApi.value('moonmind_run_duration_seconds_sum', { status: 'succeeded', runtime: 'codex' }) + 5,
    );
    expect(moved('moonmind_run_queue_wait_seconds_count', runs)).toBe(1);
    expect(moved('moonmind_http_requests_total', submitted)).toBe(1);
    expect(moved('moonmind_http_request_duration_seconds_count', submitted)).toBe(1);
    // The route template, not the URL: the job's own page is counted under its pattern.
    expect(
      after.sum('moonmind_http_requests_total', { route: '/api/queue/jobs/{jobId}', method: 'GET' }),
    ).toBeGreaterThan(0);
    // Every event stored for the run, by who produced it, and no other (this is the only run here).
    const stored = await stack.db.sql<{ producer: string; n: number }[]>`
      SELECT CASE WHEN producer LIKE 'workflow:%' THEN 'workflow' ELSE 'worker' END AS producer, count(*)::int AS n
      FROM job_events WHERE job_id = ${job.id} GROUP BY 1`;
    for (const { producer, n } of stored) {
      expect(moved('moonmind_events_appended_total', { producer }), producer).toBe(n);
      expect(moved('moonmind_event_append_lag_seconds_count', { producer }), producer).toBe(n);
    }
    expect(stored.map((r) => r.producer).sort()).toEqual(['worker', 'workflow']);
    const [{ bytes }] = await stack.db.sql<{ bytes: number }[]>`
      SELECT sum(size)::int AS bytes FROM artifacts WHERE job_id = ${job.id}`;
    expect(bytes).toBeGreaterThan(0);
    expect(moved('moonmind_artifact_bytes_total')).toBe(bytes);
    expect(after.value('moonmind_sse_clients')).toBe(beforeApi.value('moonmind_sse_clients'));
    expect(after.value('moonmind_runs_queued')).toBe(0);
    expect(after.types.get('process_cpu_user_seconds_total')).toBe('counter');

    const afterWorker = await worker();
    for (const stage of ['prepare', 'execute_step', 'finish_execute', 'publish', 'release_host']) {
      const labels = { stage, pool: 'metered', outcome: 'ok' };
      expect(
        afterWorker.value('moonmind_stage_duration_seconds_count', labels) -
          beforeWorker.value('moonmind_stage_duration_seconds_count', labels),
        stage,
      ).toBe(1);
    }
    const stepSeconds = afterWorker.value('moonmind_stage_duration_seconds_sum', {
      stage: 'execute_step',
      pool: 'metered',
      outcome: 'ok',
    });
    expect(stepSeconds).toBeGreaterThan(5);
    expect(afterWorker.sum('moonmind_worker_slots', { pool: 'metered', state: 'used' })).toBe(0);
    expect(afterWorker.sum('moonmind_agent_processes', { pool: 'metered' })).toBe(0);
    // The Temporal SDK's runtime metrics, in the same answer, after Prometheus conventions.
    const temporal = [...afterWorker.types.keys()].filter((n) => n.startsWith('temporal_'));
    expect(temporal.length).toBeGreaterThan(5);
    const completed = afterWorker.sum('temporal_activity_execution_latency_seconds_count');
    expect(completed).toBeGreaterThanOrEqual(5);
  });

  it('labels requests no route took as unmatched, whatever their path', async () => {
    const before = await api();
    const probe = `/api/no-such-thing/${crypto.randomUUID()}`;
    expect((await stack.api(probe)).status).toBe(404);
    const after = await api();
    const labels = { method: 'GET', route: 'unmatched', status: '404' };
    expect(
      after.value('moonmind_http_requests_total', labels) -
        before.value('moonmind_http_requests_total', labels),
    ).toBe(1);
  });
});
