import { condition, isCancellation } from '@temporalio/workflow';
import type { ServiceClaim, ServiceStepResult } from '../../contracts/orchestrator-activities.ts';
import type { OrchestratorStatus, OrchestratorStep } from '../../contracts/orchestrator-run.ts';
import { failureMessage } from '../failures.ts';
import { hostActivities } from './activities.ts';
import { publishFix } from './publish.ts';
import type { OrchestratorRunTracker } from './state.ts';

/** How a run ends: its status and why. */
export interface Ending {
  status: OrchestratorStatus;
  error: string | null;
  rollbackReason: string | null;
}

/** What the run has done to the service so far: what a rollback (after a failure or a cancel) must undo. */
export class Progress {
  patched = false;
  /** The service steps that started after the patch was applied. */
  readonly reached: OrchestratorStep[] = [];
}

const serviceSteps = ['build', 'restart', 'verify'] as const;

/**
 * The run book (spec 08 "Execution"): analyze (skipped on a retry, which reuses the plan) → the approval gate
 * for protected services → patch → build → restart → verify (→ publish, when asked). A failed build, restart or verify rolls back
 * (revert the patch, rebuild, restart, verify) → `rolled_back`, or `failed` if the rollback fails too.
 */
export async function runBook(
  run: OrchestratorRunTracker,
  claim: ServiceClaim,
  progress: Progress,
  priorityKey: number,
): Promise<Ending> {
  const { input } = run;
  const host = (step: OrchestratorStep) =>
    hostActivities(claim.hostQueue, priorityKey, `${step} ${input.targetService}`);
  const base = { runId: input.runId, service: input.targetService, instruction: input.instruction };

  let protectedFiles = claim.protectedFiles;
  if (input.retry) {
    run.stepStarted('analyze');
    run.stepEnded('analyze', 'skipped', `reusing the plan of run ${input.retry.of}`);
  } else {
    const analyzed = await agentStep(run, 'analyze', () =>
      host('analyze').analyzeService({ ...base, plan: null }),
    );
    if ('failed' in analyzed) return failed(`analyze failed: ${analyzed.failed}`);
    run.set({ plan: { ...analyzed.plan, approval: input.approval } });
    protectedFiles = analyzed.protectedFiles;
  }

  const needs = claim.protected
    ? 'the service is protected'
    : protectedFiles.length > 0
      ? `the plan touches protected files (${protectedFiles.join(', ')})`
      : null;
  if (needs && !run.state.plan?.approval) {
    run.enter('awaiting_approval', { waitingReason: `${needs}: waiting for an approval` });
    run.events.emit('orchestrator.awaiting_approval', `waiting for an approval: ${needs}`, { reason: needs });
    const approved = await condition(
      () => Boolean(run.state.plan?.approval),
      `${input.approvalTimeoutSeconds} seconds`,
    );
    if (!approved) return failed(`no approval within ${input.approvalTimeoutSeconds} s (${needs})`);
    run.enter('running');
  }

  const plan = run.state.plan!;
  const patch = await agentStep(run, 'patch', () =>
    host('patch').patchService({ ...base, plan, approved: Boolean(plan.approval) }),
  );
  if ('failed' in patch) return failed(`patch failed: ${patch.failed}`);
  if (patch.violations.length > 0)
    return failed(
      `the patch changed files outside the allow-list: ${patch.violations.join(', ')} (nothing applied; the service's files are as they were)`,
    );
  progress.patched = patch.changed.length > 0;

  for (const name of serviceSteps) {
    progress.reached.push(name);
    const result = await serviceStep(run, name, () => host(name)[`${name}Service`]({ ...base, plan }));
    if (!result.ok) return rollback(run, claim, progress, priorityKey, `${name} failed: ${result.detail}`);
  }
  // Only a verified fix is proposed; runs without a publish mode schedule nothing more (older histories replay).
  const mode = input.publish?.mode ?? 'none';
  if (mode !== 'none')
    await publishFix(run, mode, patch.changed, () =>
      hostActivities(claim.hostQueue, priorityKey, `publish ${input.targetService}`).publishService({
        ...base,
        plan,
        mode,
        files: patch.changed,
      }),
    );
  return { status: 'succeeded', error: null, rollbackReason: null };
}

/**
 * Revert the patch and bring the service back on its old files (rebuilt and restarted only as far as the
 * run got). Also what a cancel does once a patch was applied: the service is left as it was.
 */
export async function rollback(
  run: OrchestratorRunTracker,
  claim: ServiceClaim,
  progress: Progress,
  priorityKey: number,
  reason: string,
): Promise<Ending> {
  const { input } = run;
  const result = await serviceStep(run, 'rollback', () =>
    hostActivities(claim.hostQueue, priorityKey, `rollback ${input.targetService}`).rollbackService({
      runId: input.runId,
      service: input.targetService,
      instruction: input.instruction,
      plan: run.state.plan,
      reason,
      reached: [...progress.reached],
    }),
  );
  if (result.ok) return { status: 'rolled_back', error: null, rollbackReason: reason };
  return { status: 'failed', error: `rollback failed: ${result.detail}`, rollbackReason: reason };
}

const failed = (error: string): Ending => ({ status: 'failed', error, rollbackReason: null });

/** An agent step: its result, or why it failed. A cancellation passes through (the run ends cancelled). */
async function agentStep<R extends { detail: string }>(
  run: OrchestratorRunTracker,
  name: OrchestratorStep,
  call: () => Promise<R>,
): Promise<R | { failed: string }> {
  run.stepStarted(name);
  try {
    const result = await call();
    const violations = (result as { violations?: string[] }).violations ?? [];
    run.stepEnded(name, violations.length ? 'failed' : 'succeeded', result.detail);
    return result;
  } catch (err) {
    return { failed: stepFailed(run, name, err) };
  }
}

/** A service step: a failed command or probe is a result (ok false) that leads to the rollback. */
async function serviceStep(
  run: OrchestratorRunTracker,
  name: OrchestratorStep,
  call: () => Promise<ServiceStepResult>,
): Promise<ServiceStepResult> {
  run.stepStarted(name);
  try {
    const result = await call();
    run.stepEnded(name, result.ok ? 'succeeded' : 'failed', result.detail);
    return result;
  } catch (err) {
    return { ok: false, detail: stepFailed(run, name, err) };
  }
}

function stepFailed(run: OrchestratorRunTracker, name: OrchestratorStep, err: unknown): string {
  if (isCancellation(err) && run.cancelledBy) {
    run.stepEnded(name, 'cancelled', `cancelled by ${run.cancelledBy}`);
    throw err;
  }
  const detail = failureMessage(err);
  run.stepEnded(name, 'failed', detail);
  return detail;
}
