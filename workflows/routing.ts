import { condition } from '@temporalio/workflow';
import type { FindPoolResult } from '../contracts/activities.ts';
import { controlPlane } from './activities.ts';
import { failureMessage, isCancellation } from './failures.ts';
import type { Run } from './run.ts';

export type Route = Extract<FindPoolResult, { taskQueue: string }>;

/** Re-check at least this often while queued (a `poolsChanged` signal wakes the run sooner). */
const FIRST_RECHECK_SECONDS = 5;
const MAX_RECHECK_SECONDS = 30;

/**
 * Find a pool that can run the job, waiting visibly (`queued` with the reason) for as long as none can.
 * Waiting never fails the run; only a cancel ends it.
 */
export async function waitForPool(run: Run): Promise<Route> {
  const { jobId, job } = run.input;
  let recheck = FIRST_RECHECK_SECONDS;
  let lastReason: string | null = null;
  for (;;) {
    run.poolsChanged = false;
    let result: FindPoolResult;
    try {
      result = await controlPlane.findPool({
        jobId,
        jobType: job.type,
        repository: job.payload.repository,
        requiredCapabilities: job.payload.requiredCapabilities,
        affinityKey: job.affinityKey,
        avoidTaskQueues: run.failedPools,
      });
    } catch (err) {
      if (isCancellation(err)) throw err;
      result = { reason: `worker pools could not be checked: ${failureMessage(err)}` };
    }
    if ('taskQueue' in result) return result;
    run.tracker.enter('queued', { waitingReason: result.reason });
    if (result.reason !== lastReason) {
      run.events.emit('run.queued', `waiting: ${result.reason}`, { reason: result.reason });
      lastReason = result.reason;
      recheck = FIRST_RECHECK_SECONDS;
    }
    await condition(() => run.poolsChanged, `${recheck} seconds`);
    recheck = Math.min(recheck * 2, MAX_RECHECK_SECONDS);
  }
}
