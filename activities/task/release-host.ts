import type { ReleaseHostInput } from '../../contracts/activities.ts';
import type { Attempts } from './attempts.ts';
import type { TaskActivityDeps } from './deps.ts';
import { submitAgentProposals } from './proposals.ts';
import { markReleased, removeWorkspace } from './workspace-retention.ts';

/**
 * The attempt is over on this host: give its run slot back and close the workspace to every agent. A succeeded
 * attempt's workspace is removed (its artifacts are stored); a failed or cancelled one stays for inspection
 * until the retention sweep (workspace-retention.ts).
 */
export function makeReleaseHost(deps: TaskActivityDeps, attempts: Attempts) {
  return async function releaseHost(input: ReleaseHostInput): Promise<void> {
    await releaseAttempt(deps, attempts, input.workspace, input.outcome);
  };
}

/**
 * Deliver the attempt's last events, close the workspace to agents and remove or keep it by the outcome,
 * free its run slot, close its context (`finishExecute` may do it too, when publish is `none`).
 */
export async function releaseAttempt(
  deps: TaskActivityDeps,
  attempts: Attempts,
  workspace: string,
  outcome: ReleaseHostInput['outcome'],
) {
  const ctx = attempts.find(workspace);
  // Before the workspace may go: the proposals execute left, now that the pushed branch (if any) is known.
  if (ctx)
    await submitAgentProposals(deps, ctx).catch((err: Error) =>
      deps.log?.('warn', `job ${ctx.jobId}: proposals not submitted: ${err.message}`),
    );
  await ctx?.events.flush(10_000);
  try {
    await deps.sandbox.release(workspace);
    if (outcome === 'succeeded') await removeWorkspace(workspace);
    else await markReleased(workspace);
  } finally {
    deps.slots.release(workspace);
  }
  await attempts.close(workspace);
}
