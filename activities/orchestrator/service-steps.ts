import { CancelledFailure } from '@temporalio/activity';
import type { RollbackInput, ServiceStepResult, StepInput } from '../../contracts/orchestrator-activities.ts';
import type { Attempts } from '../task/attempts.ts';
import type { OrchestratorActivityDeps } from './deps.ts';
import { inStep, runnerContext, type StepScope } from './scaffold.ts';
import type { CommandOutcome } from './service/runner.ts';
import { type RunnerSettings, runnerFor } from './service/runners.ts';
import { verifyService as verify } from './service/verify.ts';
import { revertChanges } from './workspace.ts';

/** A cancelled command is the step's cancellation (the workflow ends the run), not a failed build. */
function outcome(scope: StepScope, done: CommandOutcome): ServiceStepResult {
  if (scope.signal.aborted) {
    scope.log('# cancelled: process group stopped');
    throw new CancelledFailure('step cancelled');
  }
  return { ok: done.ok, detail: done.detail };
}

/** build / restart / verify / rollback through the service's runner (compose or process), each with its log. */
export function makeServiceSteps(
  deps: OrchestratorActivityDeps,
  attempts: Attempts,
  settings: RunnerSettings,
) {
  const step = (input: StepInput, logName: string, work: (scope: StepScope) => Promise<ServiceStepResult>) =>
    inStep(deps, attempts, input, logName, work);
  const runner = (scope: StepScope) => runnerFor(scope.profile, settings);
  const build = async (scope: StepScope) => outcome(scope, await runner(scope).build(runnerContext(scope)));
  const restart = async (scope: StepScope) =>
    outcome(scope, await runner(scope).restart(runnerContext(scope)));
  const check = async (scope: StepScope): Promise<ServiceStepResult> => {
    const verified = await verify(runner(scope), runnerContext(scope), settings.env);
    if (scope.signal.aborted) throw new CancelledFailure('step cancelled');
    return { ok: verified.ok, detail: verified.detail };
  };

  return {
    buildService: (input: StepInput) => step(input, 'build.log', build),
    restartService: (input: StepInput) => step(input, 'restart.log', restart),
    verifyService: (input: StepInput) => step(input, 'verify.log', check),
    /**
     * Put back the files the patch replaced, then rebuild, restart and verify as far as the run had got (a
     * build that failed or was cancelled is rebuilt on the old files; a restarted service is restarted and
     * verified on them). Not cancellable from the run: it is what leaves the service as it was.
     */
    rollbackService: (input: RollbackInput) =>
      step(input, 'rollback.log', async (scope) => {
        scope.log(`# rollback: ${input.reason}`);
        const restored = await revertChanges(scope.profile.root, scope.paths);
        scope.log(`reverted the patch: ${restored.join(', ') || '(no file was changed)'}`);
        const ctx = runnerContext(scope);
        const parts = [`reverted ${restored.length} file${restored.length === 1 ? '' : 's'}`];
        if (input.reached.includes('build')) {
          scope.log('# rebuild on the old files');
          const built = await runner(scope).build(ctx);
          if (!built.ok) return { ok: false, detail: `rebuild failed: ${built.detail}` };
          parts.push('rebuilt');
        }
        if (input.reached.includes('restart')) {
          scope.log('# restart on the old files');
          const restarted = await runner(scope).restart(ctx);
          if (!restarted.ok) return { ok: false, detail: `restart failed: ${restarted.detail}` };
          const verified = await verify(runner(scope), ctx, settings.env);
          if (!verified.ok) return { ok: false, detail: `verify failed: ${verified.detail}` };
          parts.push(`restarted, ${verified.detail}`);
        }
        return { ok: true, detail: parts.join('; ') };
      }),
  };
}
