import { rm } from 'node:fs/promises';
import type { ManifestClaimInput, ManifestStageInput } from '../../contracts/manifest-activities.ts';
import { timedStage } from '../../lib/metrics/worker.ts';
import type { ManifestActivities } from '../../workflows/manifest/activities.ts';
import { type ManifestActivityDeps, StageContext } from './context.ts';
import { fetch, transform, validate } from './stages.ts';
import { ensureDir, manifestPaths, writeJson } from './workspace.ts';
import { embed, upsert } from './write.ts';

export type { ManifestActivityDeps } from './context.ts';

/**
 * The manifest activities of a worker claiming `manifest` (signatures in workflows/manifest/activities.ts):
 * `claimManifest` on the pool queue, the stages on this host's queue, handing data on through the run's
 * workspace.
 */
export function createManifestActivities(deps: ManifestActivityDeps): ManifestActivities {
  const pool = deps.config.MOONMIND_WORKER_POOL ?? 'default';
  const timed = <A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>) =>
    timedStage(`manifest_${name}`, pool, fn);
  const stage =
    <R, I extends ManifestStageInput>(fn: (ctx: StageContext, input: I) => Promise<R>) =>
    async (input: I) => {
      const ctx = await StageContext.open(deps, input.jobId);
      // Heartbeats while a stage waits on a slow reader, embedder or store: a cancel reaches it at once.
      const beat = setInterval(() => ctx.heartbeat(), 1000);
      try {
        return await fn(ctx, input);
      } finally {
        clearInterval(beat);
      }
    };

  return {
    claimManifest: timed('claim', async ({ jobId, job }: ManifestClaimInput) => {
      const paths = manifestPaths(deps.config.MOONMIND_WORKSPACE_DIR, jobId);
      await ensureDir(paths.scratch);
      await writeJson(paths.job, job);
      return { hostId: deps.hostId, hostQueue: deps.hostQueue };
    }),
    manifestValidate: timed('validate', stage(validate)),
    manifestFetch: timed('fetch', stage(fetch)),
    manifestTransform: timed('transform', stage(transform)),
    manifestEmbed: timed('embed', stage(embed)),
    manifestUpsert: timed('upsert', stage(upsert)),
    finishManifest: timed('finish', async ({ jobId }: ManifestStageInput) => {
      // Every stage uploaded its artifacts and log as it ended: nothing here is needed any more.
      await rm(manifestPaths(deps.config.MOONMIND_WORKSPACE_DIR, jobId).root, {
        recursive: true,
        force: true,
      });
    }),
  };
}
