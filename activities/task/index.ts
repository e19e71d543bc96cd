import { Attempts } from './attempts.ts';
import type { TaskActivityDeps } from './deps.ts';
import { makeExecuteStep } from './execute-step.ts';
import { makeFinishExecute } from './finish-execute.ts';
import { makePrepare } from './prepare.ts';
import { makePublish } from './publish.ts';
import { makeReleaseHost } from './release-host.ts';
import { RunningSteps } from './running-steps.ts';
import { makeSteerStep } from './steer-step.ts';

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
  return {
    prepare: makePrepare(deps, attempts),
    executeStep: makeExecuteStep(deps, attempts, running),
    finishExecute: makeFinishExecute(deps, attempts),
    publish: makePublish(deps, attempts),
    releaseHost: makeReleaseHost(deps, attempts),
    steerStep: makeSteerStep(running, attempts),
  };
}
export type TaskActivityFunctions = ReturnType<typeof createTaskActivities>;
