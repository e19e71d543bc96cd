import type { Checkpoint } from '../activities/manifest/interfaces.ts';
import type { ManifestRunSummary, NormalizedManifestJob } from './manifest.ts';

/**
 * Inputs and outputs of the manifest activities. Documents, chunks and vectors never pass through these:
 * the stages hand them on in files of the run's workspace on the host, so history holds only counts.
 */
export interface ManifestClaimInput {
  jobId: string;
  job: NormalizedManifestJob;
}
export interface ManifestClaim {
  hostId: string;
  hostQueue: string;
}
export interface ManifestStageInput {
  jobId: string;
}
export interface ManifestFetchInput extends ManifestStageInput {
  /** Per data source id: what the last successful run saw (absent: never ran). */
  checkpoints: Record<string, Checkpoint>;
}
/** Counts a stage reports (its `finished` event carries them). */
export type ManifestStageCounts = Record<string, number | null>;
export interface ManifestStageResult {
  counts: ManifestStageCounts;
}
/** What the last stage hands back: the summary, and the checkpoints to save (the run succeeded). */
export interface ManifestUpsertResult extends ManifestStageResult {
  summary: ManifestRunSummary;
  checkpoints: Record<string, { cursor: string | null; docs: Record<string, string> }>;
}
export interface SaveManifestCheckpointsInput {
  manifestName: string;
  jobId: string;
  checkpoints: ManifestUpsertResult['checkpoints'];
}
