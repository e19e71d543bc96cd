import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpMetrics } from '../api/middleware/http-metrics.ts';
import { freePort } from '../scripts/ports.ts';
import { createGitRemote } from '../test/support/git.ts';
import { type Stack, startStack } from '../test/support/stack.ts';
import { terminateOpenRuns } from '../test/support/temporal.ts';
import { envelope, inParallel } from './api.ts';
import { fmt, percentile, type startBenchServices } from './services.ts';
import { runNoopTask } from './task-overhead.ts';

type Services = Awaited<ReturnType<typeof startBenchServices>>;
// MOONMIND_BENCH_OBS_ROUNDS: more rounds narrow the spread on a loaded machine.
const ROUNDS = Number(process.env.MOONMIND_BENCH_OBS_ROUNDS ?? 4);
const SUBMISSIONS_PER_ROUND = 60;
const CONCURRENCY = 8;
const RUNS_PER_ROUND = 5;
/**
 * As deploy/prometheus.yml scrapes (Prometheus's default); MOONMIND_BENCH_OBS_SCRAPE_MS=2000 is a
 * pessimistic case. The scrape itself is part of what metrics cost.
 */
const SCRAPE_EVERY_MS = Number(process.env.MOONMIND_BENCH_OBS_SCRAPE_MS ?? 15_000);

/**
 * A stand-in OTLP/HTTP collector (`POST /v1/traces`): takes what it is sent and counts it, so tracing's
 * export cost is real (serialisation, HTTP) without a collector installed.
 */
async function traceSink() {
  const received = { requests: 0, bytes: 0 };
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => {
      received.bytes += chunk.length;
    });
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') received.requests++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => server.close() };
}

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
/** CPU time (user + system) a process has used so far, in ms: unlike wall time, barely moved by the machine's other load. */
function cpuMs(pid: number | undefined): number {
  if (!pid) throw new Error('process not running');
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1000;
}

interface Mode {
  name: string;
  namespace: string;
  api: Record<string, string>;
  worker: Record<string, string>;
}

/**
 * What observability costs, side by side on one Temporal server: three stacks (each its own namespace and
 * database) with everything off, with metrics on (and scraped as Prometheus would), and with metrics and tracing on
 * (OTEL_EXPORTER_OTLP_ENDPOINT at a local sink; without tracing in the build it equals metrics). Interleaved
 * in rounds of rotating order: submission throughput through POST /api/queue/jobs (the `api` section's
 * measurement) and a no-op task end to end (the `tasks` section's probe).
 */
export async function benchObservability(services: Services): Promise<Record<string, string>> {
  const token = `bench-metrics-${randomBytes(12).toString('hex')}`;
  const sink = await traceSink();
  const metrics = { MOONMIND_METRICS_TOKEN: token };
  const modes: Mode[] = [
    { name: 'off', namespace: 'bench-obs-off', api: {}, worker: {} },
    { name: 'metrics', namespace: 'bench-obs-metrics', api: metrics, worker: metrics },
    {
      name: 'metrics + tracing',
      namespace: 'bench-obs-traced',
      api: { ...metrics, OTEL_EXPORTER_OTLP_ENDPOINT: sink.url },
      worker: { ...metrics, OTEL_EXPORTER_OTLP_ENDPOINT: sink.url },
    },
  ];
  const remote = await createGitRemote(['bench/noop']);
  const stacks: Stack[] = [];
  const workerUrls: (string | undefined)[] = [];
  const scrapers: NodeJS.Timeout[] = [];
  try {
    // Stacks started first measured slower here whatever their mode: MOONMIND_BENCH_OBS_START=reverse starts
    // them the other way round, so two runs put each mode in both places.
    const startOrder = process.env.MOONMIND_BENCH_OBS_START === 'reverse' ? [...modes].reverse() : modes;
    for (const mode of startOrder) {
      const workerPort = mode.worker.MOONMIND_METRICS_TOKEN ? String(await freePort()) : undefined;
      const stack = await startStack({
        services: services.servicesFor(mode.namespace),
        apiEnv: { MOONMIND_RATE_LIMIT_PER_MINUTE: '1000000', ...mode.api },
        workers: [
          {
            pool: 'obs',
            repositories: ['bench/noop'],
            concurrency: 4,
            env: {
              MOONMIND_GIT_BASE_URL: remote.baseUrl,
              ...mode.worker,
              ...(workerPort ? { MOONMIND_WORKER_METRICS_PORT: workerPort } : {}),
            },
          },
        ],
      });
      stacks[modes.indexOf(mode)] = stack;
      workerUrls[modes.indexOf(mode)] = workerPort ? `http://127.0.0.1:${workerPort}/metrics` : undefined;
      if (workerPort) {
        const targets = [`${stack.apiUrl}/metrics`, `http://127.0.0.1:${workerPort}/metrics`];
        const scrape = () =>
          targets.map((url) =>
            fetch(url, { headers: { authorization: `Bearer ${token}` } })
              .then((r) => r.text())
              .catch(() => ''),
          );
        scrapers.push(setInterval(scrape, SCRAPE_EVERY_MS));
      }
      await runNoopTask(stack, -1);
    }

    const submitMs = modes.map(() => 0);
    const submitCpu = modes.map(() => 0);
    const runMs: number[][] = modes.map(() => []);
    const runCpu = modes.map(() => 0);
    for (let round = 0; round < ROUNDS; round++) {
      const order = modes.map((_, i) => (i + round) % modes.length);
      for (const m of order) {
        const stack = stacks[m];
        const cpu0 = cpuMs(stack.apiPid());
        submitMs[m] += await inParallel(SUBMISSIONS_PER_ROUND, CONCURRENCY, async (i) => {
          const res = await stack.api('/api/queue/jobs', { method: 'POST', json: envelope(i) });
          if (res.status !== 201) throw new Error(`submit ${res.status}: ${await res.text()}`);
        });
        submitCpu[m] += cpuMs(stack.apiPid()) - cpu0;
        // The submitted runs wait queued (no worker serves bench/repo-*): gone before the per-run probe.
        await terminateOpenRuns(stack.client);
      }
      for (const m of order) {
        const pids = [stacks[m].apiPid(), stacks[m].workers[0].process.pid];
        const cpu0 = pids.map(cpuMs);
        for (let i = 0; i < RUNS_PER_ROUND; i++) {
          const t0 = performance.now();
          await runNoopTask(stacks[m], round * 100 + i);
          runMs[m].push(performance.now() - t0);
        }
        for (const [i, pid] of pids.entries()) runCpu[m] += cpuMs(pid) - cpu0[i];
      }
    }

    // What one scrape costs the scraped process (all of /metrics: our registry, the queued-runs count in
    // Temporal visibility, the SDK exporter's text), measured over 20 back-to-back scrapes.
    const metered = stacks[1];
    const scrapeCpu = async (pid: number | undefined, url: string) => {
      const cpu0 = cpuMs(pid);
      for (let i = 0; i < 20; i++)
        await (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).text();
      return (cpuMs(pid) - cpu0) / 20;
    };
    const apiScrapeMs = await scrapeCpu(metered.apiPid(), `${metered.apiUrl}/metrics`);
    const workerScrapeMs = await scrapeCpu(metered.workers[0].process.pid, workerUrls[1]!);

    const throughput = submitMs.map((ms) => ((ROUNDS * SUBMISSIONS_PER_ROUND) / ms) * 1000);
    const p50 = runMs.map((xs) => percentile(xs, 50));
    const costOf = (values: number[], i: number, lowerIsBetter: boolean) => {
      const pct = ((lowerIsBetter ? values[i] / values[0] : values[0] / values[i]) - 1) * 100;
      return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)} %`;
    };
    const names = modes.map((m) => m.name).join(' / ');
    const perSubmissionCpu = submitCpu.map((ms) => ms / (ROUNDS * SUBMISSIONS_PER_ROUND));
    const perRunCpu = runCpu.map((ms) => ms / (ROUNDS * RUNS_PER_ROUND));
    return {
      [`POST /api/queue/jobs (${CONCURRENCY} at a time), ${names}`]: throughput
        .map((t) => `${t.toFixed(0)}/s`)
        .join(' / '),
      'submission throughput cost vs off: metrics / metrics + tracing': `${costOf(throughput, 1, false)} / ${costOf(throughput, 2, false)}`,
      [`no-op task end to end p50 (${ROUNDS * RUNS_PER_ROUND} runs each), ${names}`]: p50
        .map(fmt)
        .join(' / '),
      'per-run (p50) cost vs off: metrics / metrics + tracing': `${costOf(p50, 1, true)} / ${costOf(p50, 2, true)}`,
      [`API CPU per submission, ${names}`]: perSubmissionCpu.map((ms) => `${ms.toFixed(2)} ms`).join(' / '),
      'submission CPU cost vs off: metrics / metrics + tracing': `${costOf(perSubmissionCpu, 1, true)} / ${costOf(perSubmissionCpu, 2, true)}`,
      [`API + worker CPU per no-op run, ${names}`]: perRunCpu.map((ms) => `${ms.toFixed(1)} ms`).join(' / '),
      'per-run CPU cost vs off: metrics / metrics + tracing': `${costOf(perRunCpu, 1, true)} / ${costOf(perRunCpu, 2, true)}`,
      'request metrics, in process (the middleware: count + histogram)': `${(await requestMetricsUs()).toFixed(1)} µs a request`,
      'one scrape, CPU of the scraped process: API / worker': `${apiScrapeMs.toFixed(1)} ms / ${workerScrapeMs.toFixed(1)} ms`,
      'trace export to the sink (requests, bytes)': `${sink.received.requests}, ${sink.received.bytes}`,
    };
  } finally {
    for (const s of scrapers) clearInterval(s);
    for (const stack of stacks) {
      if (!stack) continue;
      await terminateOpenRuns(stack.client).catch(() => {});
      await stack.stop();
    }
    sink.close();
  }
}

/** The HTTP metrics middleware's own cost per request, in µs: run in process on a bare context. */
async function requestMetricsUs(): Promise<number> {
  const middleware = httpMetrics();
  const ctx = { method: 'POST', path: '/api/queue/jobs', status: 201, state: { route: '/api/queue/jobs' } };
  const next = async () => {};
  const n = 50_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await middleware(ctx as never, next);
  return ((performance.now() - t0) * 1000) / n;
}
