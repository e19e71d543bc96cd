import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { workflowIdFor } from '../contracts/job.ts';
import { createGitRemote } from '../test/support/git.ts';
import { startStack } from '../test/support/stack.ts';
import * as bareActivities from './bare/activities.ts';
import { fmt, percentile, type startBenchServices } from './services.ts';

type Services = Awaited<ReturnType<typeof startBenchServices>>;
const RUNS = 15;

/**
 * Product overhead: end-to-end time of a no-op one-step task (fake agent exits at once, publish none)
 * against a bare workflow with three no-op activities on the same server; then 20 concurrent tasks on one
 * worker and that worker's peak memory.
 */
export async function benchTaskOverhead(services: Services): Promise<Record<string, string>> {
  const remote = await createGitRemote(['bench/noop']);
  const stack = await startStack({
    services: services.servicesFor('bench'),
    workers: [
      {
        pool: 'bench',
        capabilities: ['codex', 'git'],
        concurrency: 20,
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
      return stack.client.workflow.getHandle(workflowIdFor(job.id)).result();
    };
    // Warm both paths (bundles, connections, the worker's first poll).
    await submit(-1);
    await stack.client.workflow.execute('bareThreeStages', {
      taskQueue: 'bench-bare',
      workflowId: 'bare-warm',
    });

    const product: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      let t = performance.now();
      await submit(i);
      product.push(performance.now() - t);
      t = performance.now();
      await stack.client.workflow.execute('bareThreeStages', {
        taskQueue: 'bench-bare',
        workflowId: `bare-${i}`,
      });
      bare.push(performance.now() - t);
    }
    const p50 = percentile(product, 50);
    const b50 = percentile(bare, 50);

    const worker = stack.workers[0].process.pid!;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 20 }, (_, i) => submit(100 + i)));
    const concurrentMs = performance.now() - t0;
    const peakKb = await peakRssKb(worker);
    return {
      'no-op task end to end (p50)': fmt(p50),
      'bare 3-activity workflow (p50)': fmt(b50),
      // The best runs show the path without the per-workflow-task stalls that set in after the first few
      // runs on this setup (docs/performance.md).
      'no-op task end to end (best)': fmt(Math.min(...product)),
      'bare 3-activity workflow (best)': fmt(Math.min(...bare)),
      'ratio task / bare': `${(p50 / b50).toFixed(1)}×`,
      '20 concurrent tasks on one worker (wall)': fmt(concurrentMs),
      'worker peak RSS': `${(peakKb / 1024).toFixed(0)} MiB`,
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
