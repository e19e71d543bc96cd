import type { ControlState, RunState } from './controls.ts';
import type { ListMemo } from './list-memo.ts';
import type { ManifestJobRecord } from './manifest.ts';
import type { JobStatus, StatusDetail } from './status.ts';
import type { NormalizedJob } from './task.ts';

/** Workflow id ↔ job id: one-to-one, readable in the Temporal Web UI. */
export const workflowIdFor = (jobId: string) => `job-${jobId}`;
export const jobIdFrom = (workflowId: string) => (workflowId.startsWith('job-') ? workflowId.slice(4) : null);

/** The workflow types that are jobs (listed, described, controlled through the queue routes). */
export const jobWorkflowTypes = ['taskRun', 'manifestRun'] as const;
export const jobWorkflowQuery = `WorkflowType IN (${jobWorkflowTypes.map((t) => `'${t}'`).join(', ')})`;

export const CONTROL_TASK_QUEUE = 'moonmind-control';
export const poolTaskQueue = (pool: string) => `moonmind-pool-${pool}`;
export const hostTaskQueue = (hostId: string) => `moonmind-host-${hostId}`;

/** Workflow start input of `taskRun`. */
export interface TaskRunInput {
  jobId: string;
  job: NormalizedJob;
  submittedBy: { id: string; name: string };
  submittedAt: string;
}

/** What a `taskRun` workflow returns when it ends (external cancellation ends it as Canceled instead). */
export interface TaskRunResult {
  status: 'succeeded' | 'failed' | 'cancelled' | 'dead_letter';
  branch: string | null;
  prUrl: string | null;
  error: string | null;
  /** The last attempt and the host it ran on (null when it never left the queue), for finished job views. */
  attempt: number;
  host: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

/** What `GET /api/queue/jobs/{jobId}` returns (list items carry the same fields, `payload` included). */
export interface JobView {
  id: string;
  type: 'task' | 'manifest';
  status: JobStatus;
  title: string;
  stage: string | null;
  step: { index: number; count: number; id: string | null; title: string | null } | null;
  attempt: number;
  maxAttempts: number;
  worker: string | null;
  priority: number;
  affinityKey: string | null;
  repository: string;
  runtime: string;
  skill: string;
  publishMode: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  cancelRequestedAt: string | null;
  waitingReason: string | null;
  paused: boolean;
  branch: string | null;
  prUrl: string | null;
  error: string | null;
  submittedBy: { id: string; name: string };
  payload: NormalizedJob['payload'] | ManifestJobRecord['payload'];
  temporal: { workflowId: string; runId: string | null; url: string };
  /** Where the job came from, when not from the form: a promoted proposal, or the run it re-runs. */
  origin?: JobOrigin;
  live?: Partial<RunState>;
}

/** Memo stored on every run (read by lists without a query round-trip). */
export interface JobMemo {
  /** A manifest run's memo holds its record (no content: that is in the workflow input). */
  job: NormalizedJob | ManifestJobRecord;
  submittedBy: { id: string; name: string };
  submittedAt: string;
  title: string;
  /** Where the job came from when not from a form: the proposal it was promoted from, the run it re-runs, a schedule. */
  origin?: JobOrigin;
  /**
   * How the run ended, written by the workflow as it ends: a run that failed or was cancelled ends as a
   * Temporal failure or Canceled, which carries no result.
   */
  result?: TaskRunResult;
  /** What lists show of the live state, upserted by the run as it changes (absent until it does). */
  list?: ListMemo;
}
/** A schedule's fire names the schedule and the fire (its workflow id in Temporal, `<schedule id>-<time>`). */
export type JobOrigin = { proposalId: string } | { rerunOf: string } | { scheduleId: string; fireId: string };

/** Temporal task-queue priority (1 runs first, 5 last, 3 default) from the job's integer priority (higher first). */
export function priorityKeyFor(priority: number): number {
  return Math.min(5, Math.max(1, 3 - priority));
}

/** What the control rules need from a job view (contracts/controls.ts `controlRefusal`). */
export function controlStateOf(view: JobView): ControlState {
  return {
    status: view.status,
    paused: view.paused,
    pauseMode: view.live?.pauseMode ?? null,
    pausing: view.live?.pausing ?? false,
    cancelRequested: view.cancelRequestedAt !== null,
    started: view.startedAt !== null,
  };
}

/** What a job's status badge says beyond the status (contracts/status.ts `statusLabel`). */
export function statusDetailOf(view: JobView): StatusDetail {
  return {
    paused: view.paused,
    pausing: view.live?.pausing ?? false,
    takeoverRequested: view.live?.takeoverRequested ?? false,
    cancelRequested: view.cancelRequestedAt !== null,
  };
}
