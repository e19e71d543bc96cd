import { randomBytes, randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { RunState } from '../../contracts/controls.ts';
import type { JobEvent } from '../../contracts/events.ts';
import type { TaskRunInput } from '../../contracts/job.ts';
import { searchAttributes } from '../../contracts/search-attributes.ts';
import { taskRunStartOptions } from '../../contracts/start-options.ts';
import { type JobEnvelopeInput, normalizeJob } from '../../contracts/task.ts';
import type { Sql } from '../../db/client.ts';
import { waitFor } from '../../scripts/ports.ts';
import { buildWorkflowBundle, startControlWorker } from '../../workers/control.ts';
import { stateQuery } from '../../workflows/messages.ts';
import type { TaskRunArgs } from '../../workflows/run.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { terminateOpenRuns, testTemporal } from '../support/temporal.ts';
import { recordedDir, writeHistory } from './histories.ts';

/** Real Temporal (this file's namespace) + a fresh database + the control worker under test. */
/**
 * Worker lifecycle chatter hides test output: keep warnings and errors, except the expected warning of
 * activity-only workers. The SDK runtime is installed once per process.
 */
export function quietTemporalLogs(): void {
  const logger = new DefaultLogger('WARN', (entry) => {
    if (!entry.message.startsWith('No workflows registered'))
      console.error(`[${entry.level}] ${entry.message}`);
  });
  try {
    Runtime.install({ logger });
  } catch {
    // Already installed by this test process.
  }
}

export async function startWorkflowEnv() {
  quietTemporalLogs();
  const db: TestDatabase = await createTestDatabase();
  const { client, connection, namespace, address } = await testTemporal();
  await terminateOpenRuns(client);
  const native = await NativeConnection.connect({ address });
  const bundle = await buildWorkflowBundle();
  const control = await startControlWorker({ connection: native, namespace, sql: db.sql, client, bundle });
  return {
    db,
    sql: db.sql,
    client,
    native,
    namespace,
    bundle,
    async stop() {
      await terminateOpenRuns(client).catch(() => {});
      await control.shutdown();
      await native.close();
      await connection.close();
      await db.drop();
    },
  };
}

/** A unique name for a pool, host or repository, so tests never see each other's pollers. */
export const unique = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;

export async function registerPool(
  sql: Sql,
  pool: { pool: string; capabilities: string[]; repositories?: string[]; jobTypes?: string[] },
) {
  const taskQueue = `moonmind-pool-${pool.pool}`;
  await sql`
    INSERT INTO worker_pools (task_queue, pool, capabilities, job_types, repositories)
    VALUES (${taskQueue}, ${pool.pool}, ${pool.capabilities}, ${pool.jobTypes ?? ['task']}, ${pool.repositories ?? ['*']})
    ON CONFLICT (task_queue) DO UPDATE SET capabilities = EXCLUDED.capabilities, updated_at = now()`;
}

export async function startRun(
  client: Client,
  envelope: Omit<JobEnvelopeInput, 'type'> & { payload: Record<string, unknown> },
  workflowOnly: Pick<TaskRunArgs, 'queuedHistoryLimit'> = {},
): Promise<{ jobId: string; handle: WorkflowHandle; input: TaskRunInput }> {
  const normalized = normalizeJob({ type: 'task', ...envelope }, { defaultRuntime: 'codex' });
  if (!normalized.ok) throw new Error(`bad test job: ${JSON.stringify(normalized.issues)}`);
  const jobId = randomUUID();
  const input: TaskRunInput = {
    jobId,
    job: normalized.job,
    submittedBy: { id: randomUUID(), name: 'tester' },
    submittedAt: new Date().toISOString(),
  };
  const handle = await client.workflow.start('taskRun', {
    ...taskRunStartOptions(input),
    args: [{ ...input, ...workflowOnly }],
  });
  return { jobId, handle, input };
}

export const state = (handle: WorkflowHandle) => handle.query(stateQuery);

export async function waitForState(
  handle: WorkflowHandle,
  what: string,
  check: (s: RunState) => boolean,
  timeoutMs = 30_000,
): Promise<RunState> {
  let last: RunState | undefined;
  await waitFor(
    what,
    async () => {
      last = await state(handle);
      return check(last);
    },
    timeoutMs,
    200,
  );
  return last!;
}

export async function events(sql: Sql, jobId: string): Promise<JobEvent[]> {
  const rows = await sql<JobEvent[]>`
    SELECT id::int AS id, job_id AS "jobId", created_at AS "createdAt", level, type, message, payload
    FROM job_events WHERE job_id = ${jobId} ORDER BY id`;
  return [...rows];
}

export async function waitForEvent(sql: Sql, jobId: string, type: string, timeoutMs = 30_000) {
  await waitFor(
    `event ${type}`,
    async () => (await events(sql, jobId)).some((e) => e.type === type),
    timeoutMs,
    200,
  );
}

export async function indexedStatus(handle: WorkflowHandle): Promise<string | undefined> {
  const desc = await handle.describe();
  return desc.typedSearchAttributes.get(searchAttributes.status);
}

/** Keep the run's history for the replay test (and as a CI artifact). */
export async function saveHistory(handle: WorkflowHandle, name: string): Promise<void> {
  await writeHistory(recordedDir, name, await handle.fetchHistory());
}

/** The `summary` of every scheduled activity, in order (what the Web UI's timeline shows). */
export async function activitySummaries(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const summary = e.userMetadata?.summary;
    return e.activityTaskScheduledEventAttributes && summary
      ? [defaultPayloadConverter.fromPayload<string>(summary)]
      : [];
  });
}
