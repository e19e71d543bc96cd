import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  ContinueAsNew,
  isCancellation,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { OrchestratorRunInput } from '../../contracts/orchestrator.ts';
import type { ServiceClaim } from '../../contracts/orchestrator-activities.ts';
import { type OrchestratorRunState, orchestratorPriorityKey } from '../../contracts/orchestrator-run.ts';
import { failureMessage } from '../failures.ts';
import { hostActivities } from './activities.ts';
import { orchestratorControlSignal, orchestratorStateQuery, orchestratorVerdictQuery } from './messages.ts';
import { waitForHost } from './routing.ts';
import { type Ending, Progress, rollback, runBook } from './run-book.ts';
import { OrchestratorRunTracker } from './state.ts';

/**
 * The workflow's argument: the run's input, and how long a pending run's history may grow before it
 * continues as new (default 2,000 events; tests lower it).
 */
export type OrchestratorRunArgs = OrchestratorRunInput & { pendingHistoryLimit?: number };

/**
 * One orchestrator run (shared/spec/08-orchestrator.md): wait for a host that drives the service, then the
 * run book (run-book.ts). A cancel (the `control` signal or Temporal's own) stops the running step's process
 * group, puts back an applied patch, and ends the run `failed` with who cancelled it.
 */
export async function orchestratorRun(args: OrchestratorRunArgs): Promise<OrchestratorRunState> {
  const { pendingHistoryLimit: _, ...input } = args;
  const run = new OrchestratorRunTracker(input);
  const priorityKey = orchestratorPriorityKey(input.priority);
  let cancelledByTemporal = false;
  setHandler(orchestratorControlSignal, (request) => run.control(request));
  setHandler(orchestratorStateQuery, () => run.state);
  setHandler(orchestratorVerdictQuery, (requestId) => run.verdict(requestId));
  CancellationScope.current().cancelRequested.catch(() => {
    cancelledByTemporal = !run.finished;
    run.cancelledFromTemporal();
  });
  if (!workflowInfo().continuedFromExecutionRunId)
    run.events.emit('run.submitted', `orchestrator run for ${input.targetService} submitted`, {
      service: input.targetService,
      retryOf: input.retry?.of ?? null,
    });

  const progress = new Progress();
  let claim: ServiceClaim | null = null;
  let ending: Ending;
  try {
    ending = await run.work.run(async () => {
      claim = await waitForHost(run, args, priorityKey);
      run.enter('running', { host: claim.hostId });
      return runBook(run, claim, progress, priorityKey);
    });
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    if (!isCancellation(err) || !run.cancelledBy) {
      ending = { status: 'failed', error: failureMessage(err), rollbackReason: null };
    } else {
      const why = `cancelled by ${run.cancelledBy}`;
      ending = { status: 'failed', error: why, rollbackReason: null };
      // Leave the service as it was: an applied patch is put back (rebuilt and restarted as far as it got).
      if (claim && progress.patched) {
        const undone = await CancellationScope.nonCancellable(() =>
          rollback(run, claim!, progress, priorityKey, why),
        );
        ending = { ...undone, status: 'failed', error: undone.error ? `${why}; ${undone.error}` : why };
      }
    }
  }
  await CancellationScope.nonCancellable(async () => {
    if (claim) {
      const { hostQueue } = claim as ServiceClaim;
      await hostActivities(hostQueue, priorityKey, 'finish')
        .finishService({ runId: input.runId, service: input.targetService })
        .catch(() => {
          // The host is gone: its workspace sweep removes what is left.
        });
    }
    await run.finish(ending.status, { error: ending.error, rollbackReason: ending.rollbackReason });
  });
  if (cancelledByTemporal) throw new CancelledFailure(ending.error ?? 'cancelled');
  if (ending.status !== 'succeeded') {
    // Temporal's status tells the truth too (Failed); the run's state stays readable in the failure details.
    throw ApplicationFailure.create({
      message: ending.error ?? `rolled back: ${ending.rollbackReason}`,
      type: ending.status,
      nonRetryable: true,
      details: [run.state],
    });
  }
  return run.state;
}
