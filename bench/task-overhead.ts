import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { workflowIdFor } from '../contracts/job.ts';
import { createGitRemote } from '../test/support/git.ts';
import { type Stack, startStack } from '../test/support/stack.ts';
import * as bareActivities from './bare/activities.ts';
import { fmt, percentile, type startBenchServices } from './services.ts';

type Services = Awaited<ReturnType<typeof startBenchServices>>;
const RUNS = 15;
const CONCURRENT = 50;

interface HistoryEvent {
  eventTime?: { seconds?: unknown; nanos?: number | null } | null;
  workflowTaskScheduledEventAttributes?: unknown;
  workflowTaskStartedEventAttributes?: unknown;
  workflowTaskCompletedEventAttributes?: unknown;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
  activityTaskCompletedEventAttributes?: { scheduledEventId?: unknown } | null;
  markerRecordedEventAttributes?: { markerName?: string | null } | null;
  eventId?: unknown;
}
const at = (e: HistoryEvent) => Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;

/**
 * From a closed run's history: how many workflow tasks, activities and local activities it took, and where
 * its time went (workflow tasks from scheduled to completed, of which waiting to be picked up; each
 * activity from scheduled to completed; the whole history from start to close).
 */
export async function historyFigures(handle: { fetchHistory(): Promise<{ events?: unknown[] | null }> }) {
  const events = ((await handle.fetchHistory()).events ?? []) as HistoryEvent[];
  let wftMs = 0;
  let wftWaitMs = 0;
  let wftScheduled = 0;
  const scheduled = new Map<string, { name: string; t: number }>();
  const activityMs: Record<string, number> = {};
  for (const e of events) {
    if (e.workflowTaskScheduledEventAttributes) wftScheduled = at(e);
    if (e.workflowTaskStartedEventAttributes) wftWaitMs += at(e) - wftScheduled;
    if (e.workflowTaskCompletedEventAttributes) wftMs += at(e) - wftScheduled;
    if (e.activityTaskScheduledEventAttributes)
      scheduled.set(String(e.eventId), {
        name: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?',
        t: at(e),
      });
    const done = e.activityTaskCompletedEventAttributes;
    const s = done ? scheduled.get(String(done.scheduledEventId)) : undefined;
    if (s) activityMs[s.name] = (activityMs[s.name] ?? 0) + at(e) - s.t;
  }
  const count = (k: keyof HistoryEvent) => events.filter((e) => e[k] != null).length;
  return {
    workflowTasks: count('workflowTaskCompletedEventAttributes'),
    activities: count('activityTaskScheduledEventAttributes'),
    // Markers are local activity results and patch markers; only the former cost a round trip.
    localActivities: events.filter(
      (e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity',
    ).length,
    historyMs: events.length ? at(events[events.length - 1]) - at(events[0]) : 0,
    wftMs,
    wftWaitMs,
    activityMs,
  };
}
type Figures = Awaited<ReturnType<typeof historyFigures>>;

/** Medians of each part, in ms: the time line of a typical run. */
export function whereTimeGoes(runs: Figures[], endToEnd: number[], submitMs?: number[]): string {
  const m = (f: (x: Figures) => number) => median(runs.map(f)).toFixed(0);
  const names = Object.keys(runs[0]?.activityMs ?? {});
  return [
    ...(submitMs ? [`submit ${median(submitMs).toFixed(0)}`] : []),
    `history ${m((x) => x.historyMs)} = ${runs[0]?.workflowTasks} workflow tasks ${m((x) => x.wftMs)} (waiting ${m((x) => x.wftWaitMs)})`,
    ...names.map((n) => `${n} ${m((x) => x.activityMs[n] ?? 0)}`),
    `end to end ${median(endToEnd).toFixed(0)}`,
  ].join(', ');
}
const median = (xs: number[]) => percentile(xs, 50);

/**
 * The per-run probe: a no-op one-step task (the fake agent exits at once, publish none) on `bench/noop`,
 * submitted through the API; resolves with its workflow's result, and how long the submission took.
 */
export async function runNoopTask(stack: Stack, i: number) {
  const t0 = performance.now();
  const res = await stack.api('/api/queue/jobs', {
    method: 'POST',
    json: {
      type: 'task',
      payload: {
        repository: 'bench/noop',
        task: { instructions: `FAKE_NOOP run ${i}`, publish: { mode: 'none' } },
      },
    },
  });
  if (res.status !== 201) throw new Error(`submit: ${res.status} ${await res.text()}`);
  const job = (await res.json()) as { id: string };
  const submitMs = performance.now() - t0;
  const handle = stack.client.workflow.getHandle(workflowIdFor(job.id));
  await handle.result();
  return { handle, submitMs };
}

/**
 * Product overhead: end-to-end time of a no-op one-step task (fake agent exits at once, publish none)
 * against a bare workflow with three no-op activities on the same server, interleaved, with the workflow
 * tasks each run took (from its history); then 50 concurrent tasks on one worker (concurrency 50) and that
 * worker's peak memory.
 */
export async function benchTaskOverhead(services: Services): Promise<Record<string, string>> {
  const remote = await createGitRemote(['bench/noop']);
  const stack = await startStack({
    services: services.servicesFor('bench'),
    workers: [
      {
        pool: 'bench',
        capabilities: ['codex', 'git'],
        concurrency: CONCURRENT,
        env: { MOONMIND_GIT_BASE_URL: remote.baseUrl },
      },
    ],
  });
  const bareWorker = await Worker.create({
    connection: await (await import('@temporalio/worker')).NativeConnection.connect({
      address: services.infra.temporalAddress,
    }),
    namespace: 'bench',
    taskQueue: 'bench-bare',
    workflowsPath: fileURLToPath(new URL('./bare/workflows.ts', import.meta.url)),
    activities: bareActivities,
  });
  const bareRun = bareWorker.run();
  try {
    const submitMs: number[] = [];
    const submit = async (i: number) => {
      const run = await runNoopTask(stack, i);
      submitMs.push(run.submitMs);
      return run.handle;
    };
    // Warm both paths (bundles, connections, the worker's first poll).
    await submit(-1);
    submitMs.length = 0;
    await stack.client.workflow.execute('bareThreeStages', {
      taskQueue: 'bench-bare',
      workflowId: 'bare-warm',
    });
    await stack.client.workflow.execute('bareWithLocalActivities', {
      taskQueue: 'bench-bare',
      workflowId: 'bare-local-warm',
    });

    const product: number[] = [];
    const bare: number[] = [];
    const productHandles = [];
    const bareHandles = [];
    const bareLocal: number[] = [];
    const bareLocalHandles = [];
    for (let i = 0; i < RUNS; i++) {
      let t = performance.now();
      productHandles.push(await submit(i));
      product.push(performance.now() - t);
      t = performance.now();
      const handle = await stack.client.workflow.start('bareThreeStages', {
        taskQueue: 'bench-bare',
        workflowId: `bare-${i}`,
      });
      await handle.result();
      bare.push(performance.now() - t);
      bareHandles.push(handle);
      t = performance.now();
      const withLocal = await stack.client.workflow.start('bareWithLocalActivities', {
        taskQueue: 'bench-bare',
        workflowId: `bare-local-${i}`,
      });
      await withLocal.result();
      bareLocal.push(performance.now() - t);
      bareLocalHandles.push(withLocal);
    }
    const p50 = percentile(product, 50);
    const b50 = percentile(bare, 50);
    const productSubmitMs = submitMs.slice(0, RUNS);
    const productCounts = await Promise.all(productHandles.map(historyFigures));
    const bareCounts = await Promise.all(bareHandles.map(historyFigures));
    const bareLocalCounts = await Promise.all(bareLocalHandles.map(historyFigures));
    const per = (counts: Figures[]) =>
      `${median(counts.map((c) => c.workflowTasks))} workflow tasks, ${median(counts.map((c) => c.activities))} activities, ${median(counts.map((c) => c.localActivities))} local activities`;

    const worker = stack.workers[0].process.pid!;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => submit(100 + i)));
    const concurrentMs = performance.now() - t0;
    const peakKb = await peakRssKb(worker);
    return {
      'history queue processor limits': services.defaultQueueLimits ? 'server defaults' : 'lifted',
      [`no-op task end to end (p50 / best of ${RUNS})`]: `${fmt(p50)} / ${fmt(Math.min(...product))}`,
      [`bare 3-activity workflow (p50 / best of ${RUNS})`]: `${fmt(b50)} / ${fmt(Math.min(...bare))}`,
      'ratio task / bare (p50 / best)': `${(p50 / b50).toFixed(2)}× / ${(Math.min(...product) / Math.min(...bare)).toFixed(2)}×`,
      'no-op task, per run (median)': per(productCounts),
      'bare workflow, per run (median)': per(bareCounts),
      'no-op task, where the time goes (medians, ms)': whereTimeGoes(productCounts, product, productSubmitMs),
      'bare workflow, where the time goes (medians, ms)': whereTimeGoes(bareCounts, bare),
      [`bare + 3 no-op local activities (p50 / best of ${RUNS})`]: `${fmt(percentile(bareLocal, 50))} / ${fmt(Math.min(...bareLocal))}`,
      'bare + local activities, where the time goes (medians, ms)': whereTimeGoes(bareLocalCounts, bareLocal),
      [`${CONCURRENT} concurrent tasks on one worker (wall)`]: fmt(concurrentMs),
      'worker peak RSS (VmHWM)': `${(peakKb / 1024).toFixed(0)} MiB`,
    };
  } finally {
    bareWorker.shutdown();
    await bareRun;
    await stack.stop();
  }
}

/** VmHWM: the peak resident set of a process so far. */
async function peakRssKb(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
}
