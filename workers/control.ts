import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, type NativeConnection, Worker } from '@temporalio/worker';
import { createControlPlaneActivities } from '../activities/control-plane/index.ts';
import { CONTROL_TASK_QUEUE } from '../contracts/job.ts';
import type { Sql } from '../db/client.ts';
import { activityInterceptors, workflowInterceptorModules, workflowSinks } from '../lib/temporal-tracing.ts';
import type { ScheduleFireActivities } from '../workflows/activities.ts';

const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
const bundles = new Map<string, Promise<{ code: string }>>();

/**
 * The workflow bundle, built once per process (bundling takes seconds; every control worker shares it), with
 * the tracing interceptors only while tracing is on (`modules`: default what lib/temporal-tracing.ts says).
 */
export function buildWorkflowBundle(
  modules: string[] = workflowInterceptorModules(),
): Promise<{ code: string }> {
  const key = modules.join('\n');
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = bundleWorkflowCode({
      workflowsPath,
      workflowInterceptorModules: modules,
      logger: new DefaultLogger('WARN'),
    }).catch((err) => {
      bundles.delete(key);
      throw err;
    });
    bundles.set(key, bundle);
  }
  return bundle;
}

export interface ControlWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  sql: Sql;
  client: Client;
  bundle?: { code: string };
  identity?: string;
  /** The activities of schedule fires (the API's submission code); without them a fire fails. */
  scheduleActivities?: ScheduleFireActivities;
  /** Count runs into the metrics (lib/metrics/control-plane.ts); on when the API serves them. */
  countRuns?: boolean;
}

/**
 * The control worker (started by the API process): runs `taskRun` and `scheduledFire` workflow tasks and the
 * control-plane activities on `moonmind-control`. `shutdown` drains it and resolves once it has stopped.
 */
export async function startControlWorker(
  options: ControlWorkerOptions,
): Promise<{ worker: Worker; shutdown(): Promise<void> }> {
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: CONTROL_TASK_QUEUE,
    ...(options.identity ? { identity: options.identity } : {}),
    workflowBundle: options.bundle ?? (await buildWorkflowBundle()),
    activities: {
      ...createControlPlaneActivities({
        sql: options.sql,
        client: options.client,
        countRuns: options.countRuns,
      }),
      ...options.scheduleActivities,
    },
    interceptors: activityInterceptors(),
    sinks: workflowSinks(),
  });
  const running = worker.run();
  // A worker that dies on its own is reported by `shutdown` (and by Temporal's pollers list meanwhile).
  running.catch(() => {});
  return {
    worker,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}
