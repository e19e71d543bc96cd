import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { workflowIdFor } from '../contracts/job.ts';
import { createGitRemote } from '../test/support/git.ts';
import { startStack } from '../test/support/stack.ts';
import * as bareActivities from './bare/activities.ts';
import { fmt, percentile, type startBenchServices } from './services.ts';

type Services = Awaited<ReturnType<typeof startBenchServices>>;
const RUNS = 15;
const CONCURRENT = 50;

/** Workflow tasks, activities and local activities in a closed run's history. */
async function historyCounts(handle: { fetchHistory(): Promise<{ events?: unknown[] | null }> }) {
  const events = ((await handle.fetchHistory()).events ?? []) as {
    workflowTaskCompletedEventAttributes?: unknown;
    activityTaskScheduledEventAttributes?: unknown;
    markerRecordedEventAttributes?: unknown;
  }[];
  const count = (k: keyof (typeof events)[number]) => events.filter((e) => e[k] != null).length;
  return {
    workflowTasks: count('workflowTaskCompletedEventAttributes'),
    activities: count('activityTaskScheduledEventAttributes'),
    localActivities: count('markerRecordedEventAttributes'),
  };
}
const median = (xs: number[]) => percentile(xs, 50);

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
    const submit = async (i: number) => {
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
      const handle = stack.client.workflow.getHandle(workflowIdFor(job.id));
      await handle.result();
      return handle;
    };
    // Warm both paths (bundles, connections, the worker's first poll).
    await submit(-1);
    await stack.client.workflow.execute('bareThreeStages', {
      taskQueue: 'bench-bare',
      workflowId: 'bare-warm',
    });

    const product: number[] = [];
    const bare: number[] = [];
    const productHandles = [];
    const bareHandles = [];
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
    }
    const p50 = percentile(product, 50);
    const b50 = percentile(bare, 50);
    const productCounts = await Promise.all(productHandles.map(historyCounts));
    const bareCounts = await Promise.all(bareHandles.map(historyCounts));
    const per = (counts: Awaited<ReturnType<typeof historyCounts>>[]) =>
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
