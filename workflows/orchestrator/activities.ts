import {
  ActivityCancellationType,
  type ActivityOptions,
  proxyActivities,
  proxyLocalActivities,
} from '@temporalio/workflow';
import type {
  AnalyzeResult,
  FinishInput,
  PatchInput,
  PatchResult,
  PublishServiceInput,
  PublishServiceResult,
  RecordOrchestratorStateInput,
  RollbackInput,
  ServiceClaim,
  ServiceClaimInput,
  ServiceStepResult,
  StepInput,
} from '../../contracts/orchestrator-activities.ts';
import { controlPlaneOptions } from '../activities.ts';

/** Control-worker activity (activities/control-plane/): the run's state into its orchestrator_runs row. */
export interface OrchestratorControlActivities {
  recordOrchestratorState(state: RecordOrchestratorStateInput): Promise<void>;
}

/** Activities of a worker claiming `orchestrator` (activities/orchestrator/): the first on its pool queue. */
export interface OrchestratorActivities {
  claimService(input: ServiceClaimInput): Promise<ServiceClaim>;
  analyzeService(input: StepInput): Promise<AnalyzeResult>;
  patchService(input: PatchInput): Promise<PatchResult>;
  buildService(input: StepInput): Promise<ServiceStepResult>;
  restartService(input: StepInput): Promise<ServiceStepResult>;
  verifyService(input: StepInput): Promise<ServiceStepResult>;
  rollbackService(input: RollbackInput): Promise<ServiceStepResult>;
  /** Only for a run with a publish mode, after verify succeeded. */
  publishService(input: PublishServiceInput): Promise<PublishServiceResult>;
  /** The run is over: its workspace on the host goes (artifacts were uploaded by each step). */
  finishService(input: FinishInput): Promise<void>;
}

export const orchestratorControl = proxyLocalActivities<OrchestratorControlActivities>(controlPlaneOptions);

/**
 * Each step runs once (a failed build is a result, not something to retry blindly); cancellation waits for
 * the step to stop its process group. Heartbeats are frequent so a cancel reaches a step at once.
 */
const once = {
  retry: { maximumAttempts: 1 },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
} satisfies ActivityOptions;

/** `claimService` on the pool queue: any host of the pool takes it (then the run stays on that host). */
export const poolActivities = (taskQueue: string, priorityKey: number) =>
  proxyActivities<OrchestratorActivities>({
    ...once,
    retry: { maximumAttempts: 3 },
    taskQueue,
    priority: { priorityKey },
    summary: 'claim the service on a host',
    scheduleToStartTimeout: '10 minutes',
    startToCloseTimeout: '1 minute',
  });

/**
 * The steps on the claiming host's queue. The profile's own timeouts bound the commands; these are the
 * backstops. A short schedule-to-start notices a host that went away between steps.
 */
export const hostActivities = (taskQueue: string, priorityKey: number, summary: string) =>
  proxyActivities<OrchestratorActivities>({
    ...once,
    taskQueue,
    priority: { priorityKey },
    summary,
    scheduleToStartTimeout: '1 minute',
    startToCloseTimeout: '24 hours',
    heartbeatTimeout: '30 seconds',
  });
