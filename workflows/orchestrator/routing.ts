import { continueAsNew, sleep, workflowInfo } from '@temporalio/workflow';
import type { FindPoolResult } from '../../contracts/activities.ts';
import type { ServiceClaim } from '../../contracts/orchestrator-activities.ts';
import { ORCHESTRATOR_JOB_TYPE } from '../../contracts/orchestrator-run.ts';
import { controlPlane } from '../activities.ts';
import { failureMessage, isCancellation, isScheduleToStartTimeout } from '../failures.ts';
import { poolActivities } from './activities.ts';
import type { OrchestratorRunArgs, orchestratorRun } from './run.ts';
import type { OrchestratorRunTracker } from './state.ts';

const FIRST_RECHECK_SECONDS = 2;
const MAX_RECHECK_SECONDS = 30;

/** The capabilities a pool needs for a service: `orchestrator`, plus `docker` for the compose runner. */
export const requiredCapabilities = (runner: 'process' | 'compose') =>
  runner === 'compose' ? [ORCHESTRATOR_JOB_TYPE, 'docker'] : [ORCHESTRATOR_JOB_TYPE];

/**
 * Find a pool that claims orchestrator runs for this service (the same routing as task runs:
 * activities/control-plane/find-pool.ts, with `services/<name>` as the repository), then let one of its hosts
 * claim the service. The run waits visibly in `pending` with the reason for as long as none can; only a
 * cancel ends the wait. A host that refuses the service (its profiles do not name it) fails the run. A long
 * wait continues as new (every re-check adds to the history), with its state and events stored first.
 */
export async function waitForHost(
  run: OrchestratorRunTracker,
  args: OrchestratorRunArgs,
  priorityKey: number,
): Promise<ServiceClaim> {
  const { input } = run;
  let recheck = FIRST_RECHECK_SECONDS;
  for (;;) {
    let route: FindPoolResult;
    try {
      route = await controlPlane.findPool({
        jobId: input.runId,
        jobType: ORCHESTRATOR_JOB_TYPE,
        repository: `services/${input.targetService}`,
        requiredCapabilities: requiredCapabilities(input.runner),
        affinityKey: null,
      });
    } catch (err) {
      if (isCancellation(err)) throw err;
      route = { reason: `worker pools could not be checked: ${failureMessage(err)}` };
    }
    if ('taskQueue' in route) {
      try {
        return await poolActivities(route.taskQueue, priorityKey).claimService({
          runId: input.runId,
          service: input.targetService,
          plan: run.state.plan,
        });
      } catch (err) {
        if (!isScheduleToStartTimeout(err)) throw err;
        route = { reason: `no host of pool ${route.pool} took the run` };
      }
    }
    if (route.reason !== run.state.waitingReason) {
      run.set({ waitingReason: route.reason });
      run.events.emit('run.queued', `waiting: ${route.reason}`, { reason: route.reason });
      recheck = FIRST_RECHECK_SECONDS;
    }
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength >= (args.pendingHistoryLimit ?? 2000)) {
      await run.flushed();
      await continueAsNew<typeof orchestratorRun>(args);
    }
    await sleep(`${recheck} seconds`);
    recheck = Math.min(recheck * 2, MAX_RECHECK_SECONDS);
  }
}
