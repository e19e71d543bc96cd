import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { inject } from 'vitest';
import type { JobMemo, TaskRunResult } from '../../contracts/job.ts';
import { testNamespace } from './namespaces.ts';

/** A client on this test file's namespace of the shared dev server. */
export async function testTemporal(
  address: string = inject('temporalAddress'),
  namespace: string = testNamespace(),
): Promise<{ connection: Connection; client: Client; namespace: string; address: string }> {
  const connection = await Connection.connect({ address });
  return { connection, client: new Client({ connection, namespace }), namespace, address };
}

/**
 * Delete every schedule, then terminate every open run in the namespace, so the next file on this worker
 * starts clean (a schedule left behind would keep starting runs in it).
 */
export async function terminateOpenRuns(client: Client): Promise<void> {
  for await (const s of client.schedule.list())
    await client.schedule
      .getHandle(s.scheduleId)
      .delete()
      .catch(() => {});
  for await (const wf of client.workflow.list({ query: 'ExecutionStatus="Running"' })) {
    await client.workflow
      .getHandle(wf.workflowId, wf.runId)
      .terminate('test cleanup')
      .catch(() => {});
  }
}

/**
 * How a `taskRun` ended, whatever Temporal status it ended with: a succeeded run returns its result; a failed,
 * dead-lettered or cancelled one ends as a Temporal failure or Canceled and keeps its result in the memo.
 */
export async function runResult(handle: WorkflowHandle): Promise<TaskRunResult> {
  try {
    return (await handle.result()) as TaskRunResult;
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const memo = (await handle.describe()).memo as Partial<JobMemo> | undefined;
    if (!memo?.result) throw err;
    return memo.result;
  }
}
