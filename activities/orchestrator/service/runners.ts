import type { ServiceProfile } from '../../../contracts/service-profiles.ts';
import { composeRunner } from './compose-runner.ts';
import { processRunner } from './process-runner.ts';
import type { ServiceRunner } from './runner.ts';

export interface RunnerSettings {
  /** MOONMIND_DOCKER_COMMAND. */
  dockerCommand: string;
  /** The commands' environment: serviceEnv(process.env, MOONMIND_AGENT_ENV), never the worker's secrets. */
  env: Record<string, string>;
}

/** The runner that drives a service, by its profile's `runner`. */
export function runnerFor(profile: ServiceProfile, settings: RunnerSettings): ServiceRunner {
  return profile.runner === 'compose'
    ? composeRunner(settings.dockerCommand, settings.env)
    : processRunner(settings.env);
}
