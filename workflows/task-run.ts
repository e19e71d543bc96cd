import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  ContinueAsNew,
  condition,
  setHandler,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import type { TaskRunResult } from '../contracts/job.ts';
import { controlPlane } from './activities.ts';
import { type RunOutcome, releaseAfter, runAttempt } from './attempt.ts';
import { isCancellation } from './failures.ts';
import {
  controlSignal,
  controlVerdictQuery,
  hostLostSignal,
  poolsChangedSignal,
  stateQuery,
} from './messages.ts';
import { Run, type TaskRunArgs } from './run.ts';
import { StartPatch } from './start-patch.ts';

/**
 * One task run (docs/architecture.md, "The workflow: taskRun"): attempts until one succeeds, fails for a
 * task reason, or is cancelled; infrastructure failures use up attempts and end in `dead_letter`.
 */
export async function taskRun(input: TaskRunArgs): Promise<TaskRunResult> {
  const run = new Run(input);
  const endAsStatusPatch = new StartPatch(END_AS_PRODUCT_STATUS);
  setHandler(controlSignal, (signal) => run.control(signal));
  setHandler(poolsChangedSignal, () => {
    run.poolsChanged = true;
  });
  setHandler(hostLostSignal, (lost) => run.lostHost(lost));
  setHandler(stateQuery, () => ({ ...run.state }));
  setHandler(controlVerdictQuery, (requestId) => run.verdict(requestId));
  CancellationScope.current().cancelRequested.catch(() => {
    run.temporalCancelSeen = true;
    run.cancelledFromTemporal();
  });

  let result: RunOutcome;
  let cancellation: unknown = null;
  try {
    result = await run.work.run(() => runAttempts(run));
  } catch (err) {
    if (err instanceof ContinueAsNew || (!isCancellation(err) && !run.cancelRequested)) throw err;
    cancellation = err;
    result = { status: 'cancelled', branch: null, prUrl: null, error: null };
    await CancellationScope.nonCancellable(() => releaseAfter(run, run.state.attempt, 'cancelled'));
  }

  await CancellationScope.nonCancellable(async () => {
    run.tracker.enter(result.status, {
      waitingReason: null,
      error: result.error,
      prUrl: result.prUrl,
      branch: result.branch ?? run.state.branch,
    });
    const detail = result.error ? `: ${result.error}` : '';
    const level = result.status === 'succeeded' || result.status === 'cancelled' ? 'info' : 'error';
    run.events.emit('run.finished', `run ${result.status}${detail}`, { ...result }, level);
    await run.events.close();
  });
  const { attempt, host, startedAt, finishedAt } = run.state;
  // A cancelled or failed run keeps the branch its attempt worked on.
  const final: TaskRunResult = { ...result, branch: run.state.branch, attempt, host, startedAt, finishedAt };
  const endAsStatus = endAsStatusPatch.on;
  if (endAsStatus) upsertMemo({ result: final });
  // Cancelled from Temporal itself: end as Canceled there too.
  if (run.cancelledByTemporal && result.status === 'cancelled') {
    throw isCancellation(cancellation) ? cancellation : new CancelledFailure('cancelled from Temporal');
  }
  if (endAsStatus) await endAs(run, final);
  return final;
}

/**
 * Patch id: a run that did not succeed ends as a Temporal failure (failed, dead_letter) or as Canceled, so
 * the Web UI's status and Failures filter tell the truth; its result stays readable in the memo (`result`).
 * Runs recorded before it completed with the result whatever their status.
 */
export const END_AS_PRODUCT_STATUS = 'end-as-product-status';

async function endAs(run: Run, final: TaskRunResult): Promise<void> {
  if (final.status === 'failed' || final.status === 'dead_letter') {
    throw ApplicationFailure.create({
      message: final.error ?? `run ${final.status}`,
      type: final.status,
      nonRetryable: true,
      details: [final],
    });
  }
  if (final.status === 'cancelled') {
    // A cancel signal ended the run: only a cancellation request makes Temporal record Canceled, and the
    // server refuses a workflow's request to cancel itself, so a control-plane activity asks for it.
    // Should that fail for good, the run completes with its result (still `cancelled` for the product).
    const { workflowId, runId } = workflowInfo();
    const asked = await CancellationScope.nonCancellable(async () => {
      const sent = await controlPlane.requestCancel({ workflowId, runId }).then(
        () => true,
        () => false,
      );
      if (sent) await condition(() => run.temporalCancelSeen);
      return sent;
    });
    if (asked) throw new CancelledFailure(final.error ?? 'cancelled');
  }
}

async function runAttempts(run: Run): Promise<RunOutcome> {
  const { maxAttempts } = run.input.job;
  for (let attempt = run.input.carried?.attempt ?? 1; attempt <= maxAttempts; attempt++) {
    run.tracker.set({ attempt });
    let outcome = await runAttempt(run, attempt);
    // A graceful stop of its worker is not a failure: the same attempt starts again when a worker is free.
    while ('handedBack' in outcome) outcome = await runAttempt(run, attempt);
    if ('final' in outcome) return outcome.final;
    run.lastError = outcome.retry;
  }
  return {
    status: 'dead_letter',
    branch: null,
    prUrl: null,
    error: `all ${maxAttempts} attempts failed; last: ${run.lastError}`,
  };
}
