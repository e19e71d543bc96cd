import { Context } from '@temporalio/activity';
import type { WorkerConfig } from '../../contracts/config.ts';
import type { ManifestRunSummary, NormalizedManifestJob } from '../../contracts/manifest.ts';
import type { WorkerApiClient } from '../reporting/api-client.ts';
import type { SecretResolver } from '../secrets/references.ts';
import type { ManifestParts } from './parts.ts';
import { logLine, type ManifestPaths, manifestPaths, readJson } from './workspace.ts';

/** What the manifest activities need from the worker process that registers them. */
export interface ManifestActivityDeps {
  config: Pick<WorkerConfig, 'MOONMIND_WORKSPACE_DIR' | 'MOONMIND_WORKER_POOL'>;
  hostId: string;
  hostQueue: string;
  api: Pick<WorkerApiClient, 'putArtifact'>;
  parts: ManifestParts;
  secrets: SecretResolver;
}

/** One stage's view of its run: the job, its files, a log, artifact upload, heartbeats and cancellation. */
export class StageContext {
  readonly paths: ManifestPaths;
  private constructor(
    readonly deps: ManifestActivityDeps,
    readonly jobId: string,
    readonly job: NormalizedManifestJob,
  ) {
    this.paths = manifestPaths(deps.config.MOONMIND_WORKSPACE_DIR, jobId);
  }

  static async open(deps: ManifestActivityDeps, jobId: string): Promise<StageContext> {
    const paths = manifestPaths(deps.config.MOONMIND_WORKSPACE_DIR, jobId);
    return new StageContext(deps, jobId, await readJson<NormalizedManifestJob>(paths.job));
  }

  get manifest() {
    return this.job.manifest;
  }

  /** plan and dryRun compute everything and write nothing (no store writes, no checkpoint). */
  get writesNothing(): boolean {
    return this.job.action === 'plan' || this.job.options.dryRun === true || this.manifest.run.dryRun;
  }

  get signal(): AbortSignal {
    return Context.current().cancellationSignal;
  }

  heartbeat(progress?: unknown): void {
    Context.current().heartbeat(progress);
  }

  log(line: string): Promise<void> {
    return logLine(this.paths, line);
  }

  async upload(path: string, name: string, contentType: string): Promise<void> {
    await this.deps.api.putArtifact(this.jobId, name, path, contentType);
  }

  /** The log goes up after every stage, so a failed or cancelled run keeps what it did. */
  uploadLog(): Promise<void> {
    return this.upload(this.paths.log, 'manifest.log', 'text/plain');
  }

  emptySummary(): ManifestRunSummary {
    return {
      documents: 0,
      changed: 0,
      chunks: 0,
      upserts: 0,
      deletions: 0,
      skips: 0,
      errors: 0,
      estimatedTokens: 0,
      durationsMs: {},
    };
  }
}
