import { Attempts } from './attempts.ts';
import type { TaskActivityDeps } from './deps.ts';
import { makeExecuteStep } from './execute-step.ts';
import { makeFinishExecute } from './finish-execute.ts';
import { makePrepare } from './prepare.ts';
import { makePublish } from './publish.ts';
import { makeReleaseHost } from './release-host.ts';
import { RunningSteps } from './running-steps.ts';
import { makeSteerStep } from './steer-step.ts';
import { throughOutages } from './through-outages.ts';

export type { TaskActivityDeps } from './deps.ts';
export { RunSlots } from './run-slots.ts';

/**
 * The capability worker's activities (signatures in contracts/activities.ts). `prepare` is registered on
 * the pool queue, the others on this process's host queue; they share the per-attempt state kept here.
 */
export function createTaskActivities(deps: TaskActivityDeps) {
  const attempts = new Attempts(deps.api, deps.hostId, (m) => deps.log?.('warn', m));
  // A lease that expired (the run went away without releaseHost) stops its event reporter and shuts its
  // workspace to agents too.
  deps.slots.onRelease((workspace) => {
    void attempts.close(workspace);
    deps.sandbox
      .release(workspace)
      .catch((err: Error) => deps.log?.('warn', `workspace ${workspace} not shut to agents: ${err.message}`));
  });
  const running = new RunningSteps();
  const held = <A extends unknown[], R>(activity: (...args: A) => Promise<R>) =>
    deps.temporalReachable
      ? throughOutages(activity, deps.temporalReachable, deps.config.MOONMIND_TEMPORAL_OUTAGE_GRACE, deps.log)
      : activity;
  return {
    prepare: held(makePrepare(deps, attempts)),
    executeStep: held(makeExecuteStep(deps, attempts, running)),
    finishExecute: held(makeFinishExecute(deps, attempts)),
    publish: held(makePublish(deps, attempts)),
    releaseHost: held(makeReleaseHost(deps, attempts)),
    // Steering is answered to a waiting workflow right away or not at all.
    steerStep: makeSteerStep(running, attempts),
  };
}
export type TaskActivityFunctions = ReturnType<typeof createTaskActivities>;
