import {
  ActivityCancellationType,
  type ActivityOptions,
  proxyActivities,
  proxyLocalActivities,
} from '@temporalio/workflow';
import type { Checkpoint } from '../../activities/manifest/interfaces.ts';
import type {
  ManifestClaim,
  ManifestClaimInput,
  ManifestFetchInput,
  ManifestStageInput,
  ManifestStageResult,
  ManifestUpsertResult,
  SaveManifestCheckpointsInput,
} from '../../contracts/manifest-activities.ts';
import { controlPlaneOptions } from '../activities.ts';

/** Control-worker activities (activities/control-plane/): the checkpoints live in the control plane's db. */
export interface ManifestControlActivities {
  loadManifestCheckpoints(input: {
    manifestName: string;
    dataSourceIds: string[];
  }): Promise<Record<string, Checkpoint>>;
  saveManifestCheckpoints(input: SaveManifestCheckpointsInput): Promise<void>;
  /** The registry record's last run (job, status, times); a manifest not in the registry has none. */
  recordManifestRun(input: {
    name: string;
    jobId: string;
    status: string;
    startedAt?: string | null;
    finishedAt?: string | null;
  }): Promise<void>;
}

/** Activities of a worker claiming `manifest` (activities/manifest/): the claim on its pool queue. */
export interface ManifestActivities {
  claimManifest(input: ManifestClaimInput): Promise<ManifestClaim>;
  manifestValidate(input: ManifestStageInput): Promise<ManifestStageResult>;
  manifestFetch(input: ManifestFetchInput): Promise<ManifestStageResult>;
  /** Also writes `plan.json` (and, for plan/dryRun, the summary): the last stage of a run that writes nothing. */
  manifestTransform(input: ManifestStageInput): Promise<ManifestStageResult>;
  manifestEmbed(input: ManifestStageInput): Promise<ManifestStageResult>;
  manifestUpsert(input: ManifestStageInput): Promise<ManifestUpsertResult>;
  /** The run is over: its workspace goes (artifacts were uploaded by the stages). */
  finishManifest(input: ManifestStageInput): Promise<void>;
}

export const manifestControl = proxyLocalActivities<ManifestControlActivities>(controlPlaneOptions);

/** Cancellation waits for the stage to stop (a half-written batch is never left behind unnoticed). */
const cancellable = {
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
} satisfies ActivityOptions;

export const manifestPool = (taskQueue: string) =>
  proxyActivities<ManifestActivities>({
    ...cancellable,
    taskQueue,
    retry: { maximumAttempts: 3 },
    summary: 'claim the manifest run on a host',
    scheduleToStartTimeout: '10 minutes',
    startToCloseTimeout: '1 minute',
  });

/**
 * The stages on the claiming host's queue (its workspace holds what they hand on). Stages are idempotent
 * (each rewrites its own files; point ids are deterministic), so a transient failure is retried in place;
 * the embedder retries its own 429/5xx inside. Heartbeats are frequent so a cancel reaches a stage at once.
 */
export const manifestHost = (taskQueue: string, summary: string) =>
  proxyActivities<ManifestActivities>({
    ...cancellable,
    taskQueue,
    summary,
    retry: { maximumAttempts: 3, initialInterval: '2 seconds', nonRetryableErrorTypes: ['ManifestFailure'] },
    scheduleToStartTimeout: '1 minute',
    startToCloseTimeout: '12 hours',
    heartbeatTimeout: '30 seconds',
  });
