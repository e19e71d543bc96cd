import { timedStage, watchWorkerHost } from '../../lib/metrics/worker.ts';
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
  const pool = deps.config.MOONMIND_WORKER_POOL ?? 'default';
  watchWorkerHost({ host: deps.hostId, pool, slots: deps.slots, agents: () => running.size });
  // Every stage: timed (its own work, not a result held through an outage), then held through outages.
  const stage = <A extends unknown[], R>(name: string, activity: (...args: A) => Promise<R>) => {
    const timed = timedStage(name, pool, activity);
    return deps.temporalReachable
      ? throughOutages(timed, deps.temporalReachable, deps.config.MOONMIND_TEMPORAL_OUTAGE_GRACE, deps.log)
      : timed;
  };
  return {
    prepare: stage('prepare', makePrepare(deps, attempts)),
    executeStep: stage('execute_step', makeExecuteStep(deps, attempts, running)),
    finishExecute: stage('finish_execute', makeFinishExecute(deps, attempts)),
    publish: stage('publish', makePublish(deps, attempts)),
    releaseHost: stage('release_host', makeReleaseHost(deps, attempts)),
    // Steering is answered to a waiting workflow right away or not at all.
    steerStep: makeSteerStep(running, attempts),
  };
}
export type TaskActivityFunctions = ReturnType<typeof createTaskActivities>;
