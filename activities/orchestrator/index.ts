import { rm } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/activity';
import type {
  FinishInput,
  ServiceClaim,
  ServiceClaimInput,
} from '../../contracts/orchestrator-activities.ts';
import { timedStage } from '../../lib/metrics/worker.ts';
import type { OrchestratorActivities } from '../../workflows/orchestrator/activities.ts';
import { Attempts } from '../task/attempts.ts';
import { makeAgentSteps } from './agent-steps.ts';
import { protectedFilesOf } from './allow-list.ts';
import type { OrchestratorActivityDeps } from './deps.ts';
import { makePublishService } from './publish.ts';
import { serviceEnv } from './service/command.ts';
import { makeServiceSteps } from './service-steps.ts';
import { orchestratorPaths } from './workspace.ts';

export type { OrchestratorActivityDeps } from './deps.ts';

/**
 * The orchestrator activities of a worker claiming `orchestrator` (signatures in
 * workflows/orchestrator/activities.ts): `claimService` on the pool queue, the steps on this host's queue.
 */
export function createOrchestratorActivities(deps: OrchestratorActivityDeps): OrchestratorActivities {
  const attempts = new Attempts(deps.api, deps.hostId, (m) => deps.log?.('warn', m));
  const settings = {
    dockerCommand: deps.config.MOONMIND_DOCKER_COMMAND,
    env: serviceEnv(deps.env ?? process.env, deps.config.MOONMIND_AGENT_ENV),
  };
  const agent = makeAgentSteps(deps, attempts, settings);
  const service = makeServiceSteps(deps, attempts, settings);
  const pool = deps.config.MOONMIND_WORKER_POOL ?? 'default';
  const timed = <A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>) =>
    timedStage(`orchestrator_${name}`, pool, fn);

  return {
    claimService: timed('claim', async (input: ServiceClaimInput): Promise<ServiceClaim> => {
      const profile = deps.profiles.get(input.service);
      if (!profile)
        throw ApplicationFailure.nonRetryable(
          `service ${input.service} is not in the service profiles of worker ${deps.hostId}`,
          'OrchestratorStepFailure',
        );
      return {
        hostId: deps.hostId,
        hostQueue: deps.hostQueue,
        protected: profile.protected,
        protectedFiles: input.plan ? protectedFilesOf(input.plan.files, profile) : [],
      };
    }),
    analyzeService: timed('analyze', agent.analyzeService),
    patchService: timed('patch', agent.patchService),
    buildService: timed('build', service.buildService),
    restartService: timed('restart', service.restartService),
    verifyService: timed('verify', service.verifyService),
    rollbackService: timed('rollback', service.rollbackService),
    publishService: timed('publish', makePublishService(deps, attempts)),
    finishService: timed('finish', async (input: FinishInput) => {
      const paths = orchestratorPaths(deps.config.MOONMIND_WORKSPACE_DIR, input.runId);
      await attempts.close(paths.root);
      await deps.sandbox.release(paths.root).catch(() => {});
      // Every step uploaded its log and artifacts as it ended: nothing here is needed any more.
      await rm(paths.root, { recursive: true, force: true });
    }),
  };
}
