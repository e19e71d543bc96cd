import {
  ActivityCancellationType,
  type ActivityOptions,
  type LocalActivityOptions,
  proxyActivities,
  proxyLocalActivities,
} from '@temporalio/workflow';
import type {
  FindPoolInput,
  FindPoolResult,
  FinishExecuteInput,
  FinishExecuteResult,
  PrepareInput,
  PrepareResult,
  PublishInput,
  PublishResult,
  RecordEventsInput,
  ReleaseHostInput,
  RequestCancelInput,
  SteerStepInput,
  SteerStepResult,
  StepInput,
  StepResult,
} from '../contracts/activities.ts';
import type { ScheduledFireInput } from '../contracts/schedules.ts';
import type { TaskRunStartOptions } from '../contracts/start-options.ts';
import type { NormalizedJob } from '../contracts/task.ts';

/** Activities run by the control worker (`activities/control-plane/`). */
export interface ControlPlaneActivities {
  findPool(input: FindPoolInput): Promise<FindPoolResult>;
  recordEvents(input: RecordEventsInput): Promise<void>;
  requestCancel(input: RequestCancelInput): Promise<void>;
}

/** What a fire starts: the job's `taskRun` as a child workflow, and what its submission records after. */
export interface ScheduledRunStart {
  jobId: string;
  child: Omit<TaskRunStartOptions, 'workflowIdConflictPolicy'>;
  record: { jobId: string; job: NormalizedJob; submittedAt: string };
}

/** Activities of a schedule's fire (`api/schedules/fire.ts`), run by the control worker. */
export interface ScheduleFireActivities {
  prepareScheduledRun(input: ScheduledFireInput & { fireId: string }): Promise<ScheduledRunStart>;
  recordScheduledRun(record: ScheduledRunStart['record']): Promise<void>;
}

/** Activities run by capability workers (`activities/task/`): prepare on a pool queue, the rest on a host queue. */
export interface TaskActivities {
  prepare(input: PrepareInput): Promise<PrepareResult>;
  executeStep(input: StepInput): Promise<StepResult>;
  finishExecute(input: FinishExecuteInput): Promise<FinishExecuteResult>;
  publish(input: PublishInput): Promise<PublishResult>;
  releaseHost(input: ReleaseHostInput): Promise<void>;
  steerStep(input: SteerStepInput): Promise<SteerStepResult>;
}

/**
 * Control-plane activities run locally on the control worker that runs the workflow: no extra task
 * round-trip for routing checks and event batches, which happen often.
 */
export const controlPlaneOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '20 seconds', maximumAttempts: 8 },
} satisfies LocalActivityOptions;
export const controlPlane = proxyLocalActivities<ControlPlaneActivities>(controlPlaneOptions);

/**
 * A fire's submission: local to the control worker like the control plane. A task that no longer passes
 * the submission rules fails the fire at once (non-retryable); anything else is retried.
 */
export const scheduleFire = proxyLocalActivities<ScheduleFireActivities>({
  ...controlPlaneOptions,
  retry: { ...controlPlaneOptions.retry, nonRetryableErrorTypes: ['ScheduledTaskInvalid'] },
});

/**
 * Every task activity is tried once: the workflow's attempt loop is the retry (a new attempt may land on
 * another host). Cancellation waits for the activity to stop its agent process group.
 */
const once = {
  retry: { maximumAttempts: 1 },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
} satisfies ActivityOptions;

/** How long `prepare` may wait for a free slot in its pool before routing is checked again. */
const PREPARE_QUEUE_WAIT = '10 minutes';

/** `prepare` on the pool queue: may wait long for a busy pool; priority orders the waiting runs. */
export function poolActivities(taskQueue: string, priorityKey: number, summary: string) {
  return proxyActivities<TaskActivities>({
    ...once,
    taskQueue,
    priority: { priorityKey },
    summary,
    scheduleToStartTimeout: PREPARE_QUEUE_WAIT,
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '30 seconds',
  });
}

/** Hosts older than MOONMIND_TEMPORAL_OUTAGE_GRACE do not say theirs. */
const DEFAULT_OUTAGE_GRACE_MS = 20_000;

/**
 * Time limits per kind of host activity. A step's heartbeats may pause for the host's Temporal outage grace
 * (they resume after); a dead host is found by the API's host monitor (`hostLost`), not by this timeout.
 */
const hostTimings = (outageGraceMs: number) =>
  ({
    // The worker stops a step at MOONMIND_STEP_TIMEOUT (at most 23 h) and after MOONMIND_STEP_IDLE_TIMEOUT
    // without output; this is only the backstop for a worker that cannot.
    step: { startToCloseTimeout: '24 hours', heartbeatTimeout: outageGraceMs },
    // Publish is idempotent (same commit, existing PR reused), so a transient forge or push error is retried
    // here on the same workspace instead of re-running the agent in a new attempt.
    publish: {
      startToCloseTimeout: '15 minutes',
      retry: { maximumAttempts: 3, initialInterval: '2 seconds', backoffCoefficient: 2 },
    },
    quick: { startToCloseTimeout: '5 minutes' },
  }) satisfies Record<string, ActivityOptions>;

/**
 * Activities on the host that prepared the attempt. A short schedule-to-start detects a dead host within
 * seconds between activities (the attempt then starts over, possibly elsewhere).
 */
export function hostActivities(
  taskQueue: string,
  priorityKey: number,
  summary: string,
  timing: keyof ReturnType<typeof hostTimings>,
  outageGraceMs = DEFAULT_OUTAGE_GRACE_MS,
) {
  return proxyActivities<TaskActivities>({
    ...once,
    ...hostTimings(outageGraceMs)[timing],
    taskQueue,
    priority: { priorityKey },
    summary,
    scheduleToStartTimeout: '20 seconds',
  });
}
