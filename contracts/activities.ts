import type { EventInput } from './events.ts';
import type { NormalizedStep, Runtime, TaskPayload } from './task.ts';

/** Inputs and outputs of the activities; the workflow proxies them by these types. */
export interface FindPoolInput {
  jobId: string;
  jobType: string;
  repository: string;
  requiredCapabilities: string[];
  affinityKey: string | null;
  /** Pools whose hosts failed earlier attempts of this run: chosen only when no other pool is live. */
  avoidTaskQueues?: string[];
}
export type FindPoolResult = { taskQueue: string; pool: string } | { reason: string };

export interface RecordEventsInput {
  jobId: string;
  /** Sequence number of `events[0]` within the run; the rest follow. Makes a retried batch idempotent. */
  firstSeq: number;
  events: Omit<EventInput, 'seq'>[];
}

/** The run asks Temporal to cancel itself (a workflow cannot request its own cancellation by command). */
export interface RequestCancelInput {
  workflowId: string;
  runId: string;
}

export interface PrepareInput {
  jobId: string;
  attempt: number;
  payload: TaskPayload;
  submittedAt: string;
  affinityKey: string | null;
}
export interface PrepareResult {
  hostId: string;
  hostQueue: string;
  workspace: string;
  defaultBranch: string;
  startingBranch: string;
  workingBranch: string;
  runtime: { mode: Runtime; model: string; effort: string };
  /**
   * The host's MOONMIND_TEMPORAL_OUTAGE_GRACE in ms: its step heartbeats may pause this long (absent from
   * hosts older than the setting: 20 s).
   */
  outageGraceMs?: number;
}

export interface StepInput {
  jobId: string;
  attempt: number;
  workspace: string;
  payload: TaskPayload;
  prepared: PrepareResult;
  stepIndex: number;
  stepCount: number;
  step: NormalizedStep;
  operatorMessages: { requestId: string; actor: string; message: string; at: string }[];
}
export interface StepResult {
  exitCode: number;
  summary: string | null;
}

export interface FinishExecuteInput {
  jobId: string;
  attempt: number;
  workspace: string;
  outcome: 'succeeded' | 'failed' | 'cancelled';
  /**
   * Nothing else runs on this host for the attempt (publish `none`): give the run slot back at the end, as
   * `releaseHost` would, saving its activity and workflow task. Sent only by workflows past the
   * `release-with-finish-execute` patch.
   */
  releaseHost?: boolean;
}
export interface FinishExecuteResult {
  changed: boolean;
}

export interface PublishInput {
  jobId: string;
  attempt: number;
  workspace: string;
  payload: TaskPayload;
  prepared: PrepareResult;
}
export interface PublishResult {
  mode: 'none' | 'branch' | 'pr';
  branch: string | null;
  commit: string | null;
  prUrl: string | null;
  prNumber: number | null;
  skipped: string | null;
}

/**
 * Reaching a running step at once (hard pause, resume, operator messages) instead of waiting for the step's
 * next look at the run: a quick activity on the host that runs it.
 */
export interface SteerStepInput {
  jobId: string;
  attempt: number;
  workspace: string;
  action: 'suspend' | 'resume' | 'messages';
  messages?: StepInput['operatorMessages'];
}
export interface SteerStepResult {
  /** False when no step of this attempt was running on the host (it had just ended). */
  applied: boolean;
}

export interface ReleaseHostInput {
  jobId: string;
  workspace: string;
  /** How the attempt ended: a succeeded attempt's workspace is removed, others are kept for a while. */
  outcome?: 'succeeded' | 'failed' | 'cancelled';
}
