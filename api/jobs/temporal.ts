import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { RunState } from '../../contracts/controls.ts';
import { type JobMemo, jobWorkflowTypes, type TaskRunResult, workflowIdFor } from '../../contracts/job.ts';
import { searchAttributes } from '../../contracts/search-attributes.ts';
import { stateQuery } from '../../workflows/messages.ts';
import type { ExecutionSummary } from './views.ts';

type RawExecution = temporal.api.workflow.v1.IWorkflowExecutionInfo;

const executionStatusNames: Record<number, string> = {
  1: 'RUNNING',
  2: 'COMPLETED',
  3: 'FAILED',
  4: 'CANCELLED',
  5: 'TERMINATED',
  6: 'CONTINUED_AS_NEW',
  7: 'TIMED_OUT',
};

const decode = (p: Payload | null | undefined): unknown =>
  p ? defaultPayloadConverter.fromPayload(p) : undefined;

/** A visibility record (ListWorkflowExecutions) as a summary; null for executions that are not job runs. */
export function summaryFromRaw(raw: RawExecution): ExecutionSummary | null {
  const fields = raw.memo?.fields ?? {};
  const memo: Partial<JobMemo> = Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [k, decode(v as Payload)]),
  );
  if (!memo.job || !raw.execution?.workflowId) return null;
  const ts = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
    t?.seconds != null ? new Date(Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6)) : null;
  return {
    workflowId: raw.execution.workflowId,
    runId: raw.execution.runId ?? null,
    executionStatus: executionStatusNames[raw.status ?? 0] ?? 'UNKNOWN',
    startTime: ts(raw.startTime),
    closeTime: ts(raw.closeTime),
    memo: memo as JobMemo,
    indexedStatus:
      (decode(raw.searchAttributes?.indexedFields?.[searchAttributes.status.name] as Payload) as string) ??
      null,
  };
}

/** Describe a job's run; null when there is no such run (or it is not a job run). */
export async function describeJob(client: Client, jobId: string): Promise<ExecutionSummary | null> {
  try {
    const d = await client.workflow.getHandle(workflowIdFor(jobId)).describe();
    const memo = d.memo as unknown as JobMemo | undefined;
    if (!memo?.job || !(jobWorkflowTypes as readonly string[]).includes(d.type)) return null;
    return {
      workflowId: d.workflowId,
      runId: d.runId,
      executionStatus: d.status.name,
      startTime: d.startTime,
      closeTime: d.closeTime ?? null,
      memo,
      indexedStatus: (d.typedSearchAttributes.get(searchAttributes.status) as string | undefined) ?? null,
    };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

/** The `state` query with a short deadline: null when the control worker does not answer in time. */
export async function queryState(
  client: Client,
  workflowId: string,
  timeoutMs = 2_000,
): Promise<RunState | null> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    return await Promise.race([client.workflow.getHandle(workflowId).query(stateQuery), deadline]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** A completed run's result (branch, PR, error), read from its history; null otherwise. */
export async function completedResult(client: Client, workflowId: string): Promise<TaskRunResult | null> {
  try {
    return (await client.workflow.getHandle(workflowId).result()) as TaskRunResult;
  } catch {
    return null;
  }
}
