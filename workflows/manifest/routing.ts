import { sleep } from '@temporalio/workflow';
import type { FindPoolResult } from '../../contracts/activities.ts';
import type { ManifestClaim } from '../../contracts/manifest-activities.ts';
import { controlPlane } from '../activities.ts';
import { failureMessage, isCancellation, isScheduleToStartTimeout } from '../failures.ts';
import { manifestPool } from './activities.ts';
import type { ManifestRun } from './state.ts';

export const MANIFEST_JOB_TYPE = 'manifest';
const FIRST_RECHECK_SECONDS = 2;
const MAX_RECHECK_SECONDS = 30;

/**
 * Find a pool whose workers claim `manifest` plus the job's derived capabilities (the task routing,
 * activities/control-plane/find-pool.ts, with `manifests/<name>` as the repository), then let one of its
 * hosts claim the run. The run waits visibly `queued` with the reason; only a cancel ends the wait.
 */
export async function waitForManifestHost(run: ManifestRun): Promise<ManifestClaim> {
  const { jobId, job } = run.input;
  let recheck = FIRST_RECHECK_SECONDS;
  let lastReason: string | null = null;
  for (;;) {
    let route: FindPoolResult;
    try {
      route = await controlPlane.findPool({
        jobId,
        jobType: MANIFEST_JOB_TYPE,
        repository: `manifests/${job.name}`,
        requiredCapabilities: job.requiredCapabilities,
        affinityKey: run.input.envelope.affinityKey,
      });
    } catch (err) {
      if (isCancellation(err)) throw err;
      route = { reason: `worker pools could not be checked: ${failureMessage(err)}` };
    }
    if ('taskQueue' in route) {
      try {
        return await manifestPool(route.taskQueue).claimManifest({ jobId, job });
      } catch (err) {
        if (!isScheduleToStartTimeout(err)) throw err;
        route = { reason: `no host of pool ${route.pool} took the run` };
      }
    }
    run.tracker.enter('queued', { waitingReason: route.reason });
    if (route.reason !== lastReason) {
      run.events.emit('run.queued', `waiting: ${route.reason}`, { reason: route.reason });
      lastReason = route.reason;
      recheck = FIRST_RECHECK_SECONDS;
    }
    await sleep(`${recheck} seconds`);
    recheck = Math.min(recheck * 2, MAX_RECHECK_SECONDS);
  }
}
