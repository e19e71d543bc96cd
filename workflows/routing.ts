import { condition, continueAsNew, workflowInfo } from '@temporalio/workflow';
import type { FindPoolResult } from '../contracts/activities.ts';
import { controlPlane } from './activities.ts';
import { failureMessage, isCancellation } from './failures.ts';
import type { Run } from './run.ts';
import type { taskRun } from './task-run.ts';

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
  let lastReason = run.state.waitingReason;
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
    await continueIfLong(run);
    await condition(() => run.poolsChanged, `${recheck} seconds`);
    recheck = Math.min(recheck * 2, MAX_RECHECK_SECONDS);
  }
}

/**
 * A run can wait queued for days; every re-check adds to its history. Past the limit (or when Temporal
 * suggests it) the run continues as new with its controls and messages carried over. No attempt is in
 * flight here (at most a best-effort `releaseHost` of a failed one), and events are flushed first.
 */
async function continueIfLong(run: Run): Promise<void> {
  const info = workflowInfo();
  if (!info.continueAsNewSuggested && info.historyLength < (run.input.queuedHistoryLimit ?? 2000)) return;
  await run.events.flushed();
  if (run.cancelRequested) return; // the wait below ends the run as cancelled instead
  await continueAsNew<typeof taskRun>(run.continuation());
}
