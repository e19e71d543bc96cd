import type { ReleaseHostInput } from '../../contracts/activities.ts';
import type { Attempts } from './attempts.ts';
import type { TaskActivityDeps } from './deps.ts';

/** The attempt is over on this host: give its run slot back. The workspace stays for inspection. */
export function makeReleaseHost(deps: TaskActivityDeps, attempts: Attempts) {
  return async function releaseHost(input: ReleaseHostInput): Promise<void> {
    await releaseAttempt(deps, attempts, input.workspace);
  };
}

/** Deliver the attempt's last events, free its run slot, close its context (`finishExecute` may do it too). */
export async function releaseAttempt(deps: TaskActivityDeps, attempts: Attempts, workspace: string) {
  await attempts.find(workspace)?.events.flush(10_000);
  deps.slots.release(workspace);
  await attempts.close(workspace);
}
