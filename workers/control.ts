import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, type NativeConnection, Worker } from '@temporalio/worker';
import { createControlPlaneActivities } from '../activities/control-plane/index.ts';
import { CONTROL_TASK_QUEUE } from '../contracts/job.ts';
import type { Sql } from '../db/client.ts';

const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
let bundle: Promise<{ code: string }> | undefined;

/** The workflow bundle, built once per process (bundling takes seconds; every control worker shares it). */
export function buildWorkflowBundle(): Promise<{ code: string }> {
  bundle ??= bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') }).catch((err) => {
    bundle = undefined;
    throw err;
  });
  return bundle;
}

export interface ControlWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  sql: Sql;
  client: Client;
  bundle?: { code: string };
  identity?: string;
}

/**
 * The control worker (started by the API process): runs `taskRun` workflow tasks and the control-plane
 * activities on `moonmind-control`. `shutdown` drains it and resolves once it has stopped.
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
    activities: createControlPlaneActivities({ sql: options.sql, client: options.client }),
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
