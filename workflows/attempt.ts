import { CancellationScope, ContinueAsNew, condition, patched } from '@temporalio/workflow';
import type { PrepareResult, PublishResult } from '../contracts/activities.ts';
import type { TaskRunResult } from '../contracts/job.ts';
import type { NormalizedStep } from '../contracts/task.ts';
import { hostActivities, poolActivities } from './activities.ts';
import {
  failureMessage,
  isCancellation,
  isScheduleToStartTimeout,
  isTaskFailure,
  taskFailure,
} from './failures.ts';
import { waitForPool } from './routing.ts';
import type { Run } from './run.ts';

/** How a run ended; the workflow's result adds where and when from the run's state. */
export type RunOutcome = Pick<TaskRunResult, 'status' | 'branch' | 'prUrl' | 'error'>;

/**
 * What an attempt ends with: the run's outcome, an infrastructure failure worth another attempt, or its host
 * handing it back on a graceful stop (the same attempt runs again).
 */
type AttemptOutcome = { final: RunOutcome } | { retry: string } | { handedBack: string };

const PREPARE = 'moonmind.task.prepare';
const EXECUTE = 'moonmind.task.execute';
const PUBLISH = 'moonmind.task.publish';

/**
 * Patch id: with publish `none`, `finishExecute` gives the host back itself (no `releaseHost` activity, one
 * workflow task fewer per run). Runs recorded before it replay the separate `releaseHost`.
 */
export const RELEASE_WITH_FINISH_EXECUTE = 'release-with-finish-execute';

/** A task without steps runs its instructions as one implicit step. */
const implicitStep: NormalizedStep = { id: 'step-1', title: null, instructions: null, skill: null };

/**
 * One attempt: route → prepare (the claim) → steps → finishExecute → publish → releaseHost (with publish
 * `none`, finishExecute releases the host itself).
 * Cancellation propagates to the caller (which cleans up the host); a `TaskFailure` ends the run `failed`;
 * anything else is an infrastructure failure and asks for another attempt.
 */
export async function runAttempt(run: Run, attempt: number): Promise<AttemptOutcome> {
  const { jobId, job } = run.input;
  try {
    return await untilHostLost(run, () => attemptWork(run, attempt));
  } catch (err) {
    if (isCancellation(err) || run.cancelRequested || err instanceof ContinueAsNew) throw err;
    if (err instanceof HandedBack) return handBack(run, attempt, err.message);
    const error = failureMessage(err);
    if (isTaskFailure(err)) {
      await CancellationScope.nonCancellable(() => releaseAfter(run, attempt, 'failed'));
      return { final: { status: 'failed', branch: null, prUrl: null, error } };
    }
    const next = attempt < job.maxAttempts ? '; retrying' : '';
    run.events.emit(
      'run.attempt.failed',
      `attempt ${attempt}/${job.maxAttempts} failed: ${error}${next}`,
      { attempt, error, host: run.prepared?.hostId ?? null },
      'warn',
    );
    // The host may be gone: release without waiting, so the next attempt starts at once.
    if (run.pool && !run.failedPools.includes(run.pool)) run.failedPools.push(run.pool);
    if (run.prepared) {
      const { hostQueue, workspace } = run.prepared;
      hostActivities(hostQueue, run.priorityKey, 'release host', 'quick')
        .releaseHost({ jobId, workspace, outcome: 'failed' })
        .catch(() => {});
      run.prepared = null;
    }
    return { retry: error };
  }
}

/** The attempt's host handed it back (`hostLost` with `handedBack`): not a failure. */
class HandedBack extends Error {}

/**
 * The host stopped gracefully and gave the attempt back (it stopped the agent and freed the slot itself): no
 * failure, no release to send to a host that is gone; the caller runs the same attempt again.
 */
function handBack(run: Run, attempt: number, message: string): AttemptOutcome {
  const host = run.prepared?.hostId ?? null;
  run.events.emit('run.attempt.handed_back', `attempt ${attempt} ${message}; it runs again`, {
    attempt,
    host,
  });
  run.prepared = null;
  return { handedBack: message };
}

/**
 * The attempt's work, abandoned the moment its host is reported lost (`hostLost`): its activities are then
 * cancelled without waiting (a dead host never confirms) and the attempt fails at once, naming the host.
 * The watch is not cancellable itself, so a cancelled run still waits for its step to stop.
 */
async function untilHostLost(run: Run, work: () => Promise<AttemptOutcome>): Promise<AttemptOutcome> {
  run.hostLost = null;
  run.handedBack = false;
  const scope = new CancellationScope();
  const done = scope.run(work);
  let settled = false;
  const lost = CancellationScope.nonCancellable(() => condition(() => settled || run.hostLost !== null));
  try {
    return await Promise.race([
      done,
      lost.then(() => {
        if (run.hostLost === null) return done;
        done.catch(() => {}); // ends when the server times the abandoned activity out
        scope.cancel();
        throw run.handedBack ? new HandedBack(run.hostLost) : new Error(run.hostLost);
      }),
    ]);
  } finally {
    settled = true;
  }
}

async function attemptWork(run: Run, attempt: number): Promise<AttemptOutcome> {
  const { jobId, job } = run.input;
  const payload = job.payload;
  const prepared = await claimHost(run, attempt);
  const host = (summary: string, timing: 'step' | 'publish' | 'quick' = 'quick') =>
    hostActivities(prepared.hostQueue, run.priorityKey, summary, timing, prepared.outageGraceMs);

  const steps = payload.task.steps.length > 0 ? payload.task.steps : [implicitStep];
  for (const [index, step] of steps.entries()) {
    await safePoint(run, index === 0 ? EXECUTE : `step ${index + 1}/${steps.length}`);
    const title = step.title ?? step.id;
    run.tracker.set({
      stage: EXECUTE,
      stepIndex: index,
      stepCount: steps.length,
      stepId: step.id,
      stepTitle: step.title,
    });
    const operatorMessages = run.pendingMessages();
    run.runningStep = { attempt, hostQueue: prepared.hostQueue, workspace: prepared.workspace };
    const result = await host(`step ${index + 1}/${steps.length}: ${title}`, 'step')
      .executeStep({
        jobId,
        attempt,
        workspace: prepared.workspace,
        payload,
        prepared,
        stepIndex: index,
        stepCount: steps.length,
        step,
        operatorMessages,
      })
      .finally(() => {
        // An abandoned attempt (host lost) ends late: the next attempt's step is not its to clear.
        if (run.runningStep?.attempt === attempt) run.runningStep = null;
      });
    run.markDelivered(operatorMessages);
    if (result.exitCode !== 0) throw taskFailure(`step ${step.id} exited with code ${result.exitCode}`);
  }

  // A run paused during its last step stops here, before its work is collected (and published).
  await safePoint(run, 'finishing execute');
  const releaseWithFinish = payload.task.publish.mode === 'none' && patched(RELEASE_WITH_FINISH_EXECUTE);
  await host('finish execute').finishExecute({
    jobId,
    attempt,
    workspace: prepared.workspace,
    outcome: 'succeeded',
    ...(releaseWithFinish ? { releaseHost: true } : {}),
  });
  run.executeFinished = true;
  let published: PublishResult | null = null;
  if (payload.task.publish.mode !== 'none') {
    await safePoint(run, PUBLISH);
    run.tracker.set({ stage: PUBLISH, stepIndex: null, stepId: null, stepTitle: null });
    published = await host(`publish ${payload.task.publish.mode}`, 'publish').publish({
      jobId,
      attempt,
      workspace: prepared.workspace,
      payload,
      prepared,
    });
  }
  if (!releaseWithFinish)
    await host('release host').releaseHost({ jobId, workspace: prepared.workspace, outcome: 'succeeded' });
  run.prepared = null;
  return {
    final: {
      status: 'succeeded',
      branch: published?.branch ?? prepared.workingBranch,
      prUrl: published?.prUrl ?? null,
      error: null,
    },
  };
}

/**
 * Route, then `prepare` on the pool queue. A pool that stays busy past the wait limit sends the run back to
 * routing without using up an attempt: waiting is not a failure.
 */
async function claimHost(run: Run, attempt: number): Promise<PrepareResult> {
  const { jobId, job, submittedAt } = run.input;
  for (;;) {
    const route = await waitForPool(run);
    await safePoint(run, PREPARE);
    run.tracker.enter('queued', {
      stage: PREPARE,
      waitingReason: `waiting for a free worker in pool ${route.pool}`,
    });
    run.pool = route.taskQueue;
    try {
      const prepared = await poolActivities(
        route.taskQueue,
        run.priorityKey,
        `prepare ${job.payload.repository}`,
      ).prepare({ jobId, attempt, payload: job.payload, submittedAt, affinityKey: job.affinityKey });
      run.prepared = prepared;
      run.executeFinished = false;
      run.tracker.enter('running', { host: prepared.hostId, branch: prepared.workingBranch });
      run.events.emit('run.attempt.started', `attempt ${attempt} running on ${prepared.hostId}`, {
        attempt,
        pool: route.pool,
        host: prepared.hostId,
      });
      return prepared;
    } catch (err) {
      if (!isScheduleToStartTimeout(err) || run.cancelRequested) throw err;
    }
  }
}

/**
 * Safe point between units of work: a paused run waits here (a soft pause takes effect here; a hard pause
 * has already stopped the running process). Cancellation still ends the wait.
 */
async function safePoint(run: Run, before: string): Promise<void> {
  if (!run.state.paused) return;
  run.pauseReached();
  run.events.emit('run.paused', `paused before ${before}`, { before, mode: run.state.pauseMode });
  await condition(() => !run.state.paused);
}

/** After a failed or cancelled attempt: collect what the host has, then give its slot back. Best effort. */
export async function releaseAfter(
  run: Run,
  attempt: number,
  outcome: 'failed' | 'cancelled',
): Promise<void> {
  const prepared = run.prepared;
  if (!prepared) return;
  run.prepared = null;
  const host = (summary: string) => hostActivities(prepared.hostQueue, run.priorityKey, summary, 'quick');
  const { jobId } = run.input;
  if (!run.executeFinished) {
    await host('finish execute')
      .finishExecute({ jobId, attempt, workspace: prepared.workspace, outcome })
      .catch(() => {});
  }
  await host('release host')
    .releaseHost({ jobId, workspace: prepared.workspace, outcome })
    .catch(() => {});
}
