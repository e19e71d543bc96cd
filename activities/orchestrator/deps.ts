import type { Runtime } from '../../contracts/task.ts';
import type { ServiceProfiles } from '../../lib/service-profiles.ts';
import type { TaskActivityDeps } from '../task/deps.ts';

/** What the orchestrator activities need from the worker process that registers them. */
export type OrchestratorActivityDeps = Pick<
  TaskActivityDeps,
  'config' | 'hostId' | 'hostQueue' | 'api' | 'sandbox' | 'env' | 'killGraceMs' | 'log' | 'secrets'
> & {
  /** MOONMIND_SERVICE_PROFILES, loaded at worker start. */
  profiles: ServiceProfiles;
  /** The agent runtime of analyze and patch (MOONMIND_ORCHESTRATOR_RUNTIME). */
  runtime: Exclude<Runtime, 'demo'>;
};
