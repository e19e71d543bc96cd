import path from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ServiceProfile } from '../../contracts/service-profiles.ts';
import type { Attempts } from '../task/attempts.ts';
import { LogFile } from '../task/log-file.ts';
import type { OrchestratorActivityDeps } from './deps.ts';
import { type OrchestratorPaths, orchestratorPaths } from './workspace.ts';

export interface StepScope {
  name: string;
  profile: ServiceProfile;
  paths: OrchestratorPaths;
  /** One line into the step's kept log (redacted) and the run's events. */
  log: (line: string) => void;
  /** Aborted when the step is cancelled (the running process group is then killed). */
  signal: AbortSignal;
  /** Also upload these `artifacts/<name>` files at the end of the step. */
  keep: (name: string) => void;
}

/**
 * The frame of every orchestrator step, from the task run's pieces: the run's event reporter and artifact
 * uploader (Attempts, keyed by the run's workspace), a redacted log file kept as the step's artifact,
 * frequent heartbeats (a cancel reaches the step with the next heartbeat's answer), and, at the end, the log
 * and artifacts uploaded and events delivered whatever the outcome.
 */
export async function inStep<R>(
  deps: OrchestratorActivityDeps,
  attempts: Attempts,
  input: { runId: string; service: string },
  logName: string,
  work: (scope: StepScope) => Promise<R>,
): Promise<R> {
  const profile = deps.profiles.get(input.service);
  if (!profile)
    throw ApplicationFailure.nonRetryable(
      `service ${input.service} is not in this worker's service profiles (MOONMIND_SERVICE_PROFILES)`,
      'OrchestratorStepFailure',
    );
  const paths = orchestratorPaths(deps.config.MOONMIND_WORKSPACE_DIR, input.runId);
  const ctx = attempts.get(input.runId, 1, paths.root);
  const file = await LogFile.open(path.join(paths.artifacts, logName));
  const activity = Context.current();
  const beat = setInterval(() => activity.heartbeat(), 200);
  const kept = new Set([logName]);
  const step = logName.replace(/\.log$/, '');
  try {
    return await work({
      name: input.service,
      profile,
      paths,
      signal: activity.cancellationSignal,
      keep: (name) => kept.add(name),
      log: (line) => {
        file.line(line);
        ctx.events.emit({ type: 'log', message: line, payload: { kind: 'log', step } });
      },
    });
  } catch (err) {
    file.line(`# ${step} error: ${(err as Error).message}`);
    throw err;
  } finally {
    try {
      await file.close();
      await ctx.wrapUp([...kept]);
    } finally {
      clearInterval(beat);
    }
  }
}

/** The runner's view of a step: the service, its profile and root, the step's log and cancellation. */
export const runnerContext = (scope: StepScope) => ({
  name: scope.name,
  profile: scope.profile,
  root: scope.profile.root,
  log: scope.log,
  signal: scope.signal,
});
