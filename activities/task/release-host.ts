import type { ReleaseHostInput } from '../../contracts/activities.ts';
import type { Attempts } from './attempts.ts';
import type { TaskActivityDeps } from './deps.ts';

/**
 * The attempt is over on this host: give its run slot back. The workspace stays for inspection, closed to
 * every agent.
 */
export function makeReleaseHost(deps: TaskActivityDeps, attempts: Attempts) {
  return async function releaseHost(input: ReleaseHostInput): Promise<void> {
    await attempts.find(input.workspace)?.events.flush(10_000);
    try {
      await deps.sandbox.release(input.workspace);
    } finally {
      deps.slots.release(input.workspace);
    }
    await attempts.close(input.workspace);
  };
}
