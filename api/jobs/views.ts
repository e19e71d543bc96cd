import type { RunState } from '../../contracts/controls.ts';
import type { JobMemo, JobView, TaskRunResult } from '../../contracts/job.ts';
import { isTerminal, type JobStatus } from '../../contracts/status.ts';

/** What lists and details know about a run from Temporal alone (memo + search attributes + execution status). */
export interface ExecutionSummary {
  workflowId: string;
  runId: string | null;
  /** Temporal execution status: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT, CONTINUED_AS_NEW. */
  executionStatus: string;
  startTime: Date | null;
  closeTime: Date | null;
  memo: JobMemo;
  /** The MoonMindStatus search attribute. */
  indexedStatus: string | null;
}

/**
 * The job's status: live state while running, else the workflow's result or its last indexed status. A run
 * that failed, was dead-lettered or cancelled ends Failed or Canceled in Temporal with its status indexed; an
 * execution Temporal ended by itself (terminated, timed out) keeps whatever terminal status it had indexed,
 * else reads as cancelled (terminated or cancelled) or failed.
 */
export function jobStatus(
  e: ExecutionSummary,
  live?: RunState | null,
  result?: TaskRunResult | null,
): JobStatus {
  const indexed = (e.indexedStatus ?? 'queued') as JobStatus;
  switch (e.executionStatus) {
    case 'RUNNING':
      return live?.status ?? indexed;
    case 'COMPLETED':
      return result?.status ?? (isTerminal(indexed) ? indexed : 'succeeded');
    case 'CANCELLED':
    case 'TERMINATED':
      return isTerminal(indexed) ? indexed : 'cancelled';
    default:
      return isTerminal(indexed) ? indexed : 'failed';
  }
}

export function temporalUiUrl(base: string, namespace: string, workflowId: string): string {
  return `${base.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

export function jobView(
  e: ExecutionSummary,
  opts: {
    uiBase: string;
    namespace: string;
    jobId: string;
    live?: RunState | null;
    result?: TaskRunResult | null;
  },
): JobView {
  const { memo } = e;
  const { job } = memo;
  const live = opts.live ?? null;
  // A run that failed or was cancelled ends without a result (a Temporal failure, Canceled): its memo has it.
  const result = opts.result ?? memo.result ?? null;
  // Lists have neither live state nor a result: the memo's copy of the state stands in (as fresh as the
  // run's last change; its error is a snippet, so a result's comes first).
  const listed = memo.list ?? null;
  const seen = live ?? listed;
  const status = jobStatus(e, live, result);
  const view: JobView = {
    id: opts.jobId,
    type: job.type,
    status,
    title: memo.title,
    stage: seen?.stage ?? null,
    step:
      live && live.stepIndex !== null && live.stepCount !== null
        ? { index: live.stepIndex, count: live.stepCount, id: live.stepId, title: live.stepTitle }
        : null,
    attempt: live?.attempt ?? result?.attempt ?? 0,
    maxAttempts: job.maxAttempts,
    worker: live?.host ?? result?.host ?? null,
    priority: job.priority,
    affinityKey: job.affinityKey,
    repository: job.payload.repository,
    // A manifest job runs no agent and publishes nothing: its runtime is `manifest`, its skill the action.
    runtime: job.type === 'manifest' ? 'manifest' : job.payload.targetRuntime,
    skill: job.type === 'manifest' ? job.payload.manifest.action : job.payload.task.skill.id,
    publishMode: job.type === 'manifest' ? 'none' : job.payload.task.publish.mode,
    createdAt: memo.submittedAt,
    startedAt: live?.startedAt ?? result?.startedAt ?? listed?.startedAt ?? null,
    finishedAt:
      live?.finishedAt ?? result?.finishedAt ?? listed?.finishedAt ?? e.closeTime?.toISOString() ?? null,
    cancelRequestedAt: live?.cancelRequestedAt ?? null,
    waitingReason: isTerminal(status) ? null : (seen?.waitingReason ?? null),
    paused: live?.paused ?? false,
    branch: live?.branch ?? result?.branch ?? listed?.branch ?? null,
    prUrl: live?.prUrl ?? result?.prUrl ?? listed?.prUrl ?? null,
    error: live?.error ?? result?.error ?? listed?.error ?? null,
    submittedBy: memo.submittedBy,
    payload: job.payload,
    temporal: {
      workflowId: e.workflowId,
      runId: e.runId,
      url: temporalUiUrl(opts.uiBase, opts.namespace, e.workflowId),
    },
  };
  if (memo.origin) view.origin = memo.origin;
  if (live) view.live = live;
  return view;
}
