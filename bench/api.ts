import { randomUUID } from 'node:crypto';
import { createWorkerToken } from '../api/auth/bootstrap.ts';
import { taskRunStartOptions } from '../contracts/start-options.ts';
import { normalizeJob } from '../contracts/task.ts';
import { startStack } from '../test/support/stack.ts';
import { terminateOpenRuns } from '../test/support/temporal.ts';
import { fmt, percentile, type startBenchServices } from './services.ts';

type Services = Awaited<ReturnType<typeof startBenchServices>>;
const SUBMISSIONS = 300;
const CONCURRENCY = 8;
// MOONMIND_BENCH_LISTED_RUNS=0 skips the list section (a quick submissions-only run on a loaded machine).
const LISTED_RUNS = Number(process.env.MOONMIND_BENCH_LISTED_RUNS ?? 10_000);

/** A submission no bench worker serves (`bench/repo-*`): it stays queued, so only the API's work is timed. */
export const envelope = (i: number) => ({
  type: 'task',
  payload: {
    repository: `bench/repo-${i % 50}`,
    task: { instructions: `Benchmark run ${i}`, publish: { mode: 'branch' } },
  },
});

/** `fn(0…n-1)`, `concurrency` at a time; the wall time in ms. */
export async function inParallel(
  n: number,
  concurrency: number,
  fn: (i: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await fn(next++);
    }),
  );
  return performance.now() - t0;
}

/**
 * API costs side by side on one Temporal server: submissions per second through POST /api/queue/jobs (auth +
 * validation + start) vs raw client.workflow.start of the same workflow; list latency with 10,000 runs in
 * the namespace; SSE delivery latency from a worker's event append to a connected client.
 */
export async function benchApi(services: Services): Promise<Record<string, string>> {
  const stack = await startStack({
    services: services.servicesFor('bench-list'),
    // The rate limit is per identity; this bench submits far more than a person would in a minute.
    apiEnv: { MOONMIND_RATE_LIMIT_PER_MINUTE: '1000000' },
  });
  try {
    // The dashboard always sends an Idempotency-Key; scripts may not. Both are compared with raw starts.
    const submit = (keyed: boolean) => async (i: number) => {
      const res = await stack.api('/api/queue/jobs', {
        method: 'POST',
        json: envelope(i),
        headers: keyed ? { 'idempotency-key': randomUUID() } : {},
      });
      if (res.status !== 201) throw new Error(`submit ${res.status}: ${await res.text()}`);
    };
    const raw = (i: number, taskQueue?: string) => {
      const result = normalizeJob(envelope(i), { defaultRuntime: 'codex' });
      if (!result.ok) throw new Error('bench envelope invalid');
      const options = taskRunStartOptions({
        jobId: randomUUID(),
        job: result.job,
        submittedBy: { id: 'bench', name: 'bench' },
        submittedAt: new Date().toISOString(),
      });
      return stack.client.workflow.start('taskRun', { ...options, ...(taskQueue ? { taskQueue } : {}) });
    };
    const series = {
      api: submit(false),
      keyed: submit(true),
      raw: async (i: number) => {
        await raw(i);
      },
    };
    // One at a time, alternating: what a submission costs on its own, first on a quiet namespace, then
    // (below) with the runs started by the rounds waiting queued and re-checking routing.
    const oneAtATime = async () => {
      const single = { api: [] as number[], keyed: [] as number[], raw: [] as number[] };
      for (let i = 0; i < 30; i++) {
        for (const name of ['api', 'keyed', 'raw'] as const) {
          const t0 = performance.now();
          await series[name](i);
          single[name].push(performance.now() - t0);
        }
      }
      const p = (xs: number[]) => fmt(percentile(xs, 50));
      return `${p(single.api)} / ${p(single.keyed)} / ${p(single.raw)}`;
    };
    const quiet = await oneAtATime();

    // Interleaved in rounds, each in another order, so the machine's load changes and the re-checks of
    // the runs started earlier (they wait queued: no pool serves bench/repo-*) hit all three alike.
    const ms = { api: 0, keyed: 0, raw: 0 };
    const orders = [
      ['api', 'raw', 'keyed'],
      ['raw', 'keyed', 'api'],
      ['keyed', 'api', 'raw'],
    ] as const;
    for (const order of orders) {
      for (const name of order)
        ms[name] += await inParallel(SUBMISSIONS / orders.length, CONCURRENCY, series[name]);
    }
    const { api: apiMs, keyed: keyedMs, raw: rawMs } = ms;
    const queuedAfter = await oneAtATime();
    await terminateOpenRuns(stack.client);

    // 10,000 runs that stay open (their task queue has no worker) so visibility holds them all.
    await inParallel(LISTED_RUNS, 16, async (i) => {
      await raw(i, 'bench-idle');
    });
    const listLatency: number[] = [];
    const filteredLatency: number[] = [];
    if (LISTED_RUNS > 0) await new Promise((r) => setTimeout(r, 2000));
    for (let i = 0; i < (LISTED_RUNS > 0 ? 60 : 0); i++) {
      let t = performance.now();
      const res = await stack.api('/api/queue/jobs?limit=50');
      if (!res.ok) throw new Error(`list ${res.status}`);
      await res.json();
      listLatency.push(performance.now() - t);
      t = performance.now();
      await (
        await stack.api(`/api/queue/jobs?limit=50&repository=bench/repo-${i % 50}&status=queued`)
      ).json();
      filteredLatency.push(performance.now() - t);
    }

    const sse = LISTED_RUNS > 0 ? await sseLatency(stack) : [];
    return {
      [`POST /api/queue/jobs (${CONCURRENCY} at a time)`]: `${((SUBMISSIONS / apiMs) * 1000).toFixed(0)} submissions/s`,
      'same, with an Idempotency-Key (as the dashboard sends)': `${((SUBMISSIONS / keyedMs) * 1000).toFixed(0)} submissions/s`,
      'raw client.workflow.start': `${((SUBMISSIONS / rawMs) * 1000).toFixed(0)} starts/s`,
      'API / raw throughput (no key / key)': `${(rawMs / apiMs).toFixed(2)} / ${(rawMs / keyedMs).toFixed(2)}`,
      'one at a time, p50 API / keyed / raw: first': quiet,
      [`same, with ${3 * SUBMISSIONS + 90} runs waiting queued`]: queuedAfter,
      ...(LISTED_RUNS > 0
        ? {
            [`GET /api/queue/jobs?limit=50 with ${LISTED_RUNS} runs (p50 / p95)`]: `${fmt(percentile(listLatency, 50))} / ${fmt(percentile(listLatency, 95))}`,
            'same, filtered by repository + status (p50 / p95)': `${fmt(percentile(filteredLatency, 50))} / ${fmt(percentile(filteredLatency, 95))}`,
            'SSE delivery, worker append → client (p50 / p95)': `${fmt(percentile(sse, 50))} / ${fmt(percentile(sse, 95))}`,
          }
        : {}),
    };
  } finally {
    await terminateOpenRuns(stack.client).catch(() => {});
    await stack.stop();
  }
}

async function sseLatency(stack: Awaited<ReturnType<typeof startStack>>): Promise<number[]> {
  const created = await stack.api('/api/queue/jobs', { method: 'POST', json: envelope(0) });
  const job = (await created.json()) as { id: string };
  const token = await createWorkerToken(stack.db.sql, {
    name: 'bench',
    jobTypes: ['task'],
    repositories: ['*'],
    capabilities: ['*'],
    scopes: [],
  });
  const controller = new AbortController();
  const stream = await stack.api(`/api/queue/jobs/${job.id}/events/stream`, {
    signal: controller.signal,
    headers: { accept: 'text/event-stream' },
  });
  const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
  const waiting = new Map<string, () => void>();
  void (async () => {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += value;
      for (const [marker, resolve] of waiting) if (buffer.includes(marker)) resolve();
      buffer = buffer.slice(-4096);
    }
  })();
  const samples: number[] = [];
  for (let i = 0; i < 200; i++) {
    const marker = `sse-latency-${i}-${randomUUID()}`;
    const arrived = new Promise<void>((resolve) => waiting.set(marker, resolve));
    const t0 = performance.now();
    const res = await fetch(`${stack.apiUrl}/api/worker/jobs/${job.id}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        producer: 'bench',
        events: [
          { seq: i, level: 'info', type: 'log', message: marker, payload: { kind: 'log', stream: 'stdout' } },
        ],
      }),
    });
    if (!res.ok) throw new Error(`append ${res.status}: ${await res.text()}`);
    await arrived;
    samples.push(performance.now() - t0);
    waiting.delete(marker);
  }
  controller.abort();
  return samples;
}
