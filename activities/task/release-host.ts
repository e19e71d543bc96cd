import type { ReleaseHostInput } from '../../contracts/activities.ts';
import type { Attempts } from './attempts.ts';
import type { TaskActivityDeps } from './deps.ts';
import { markReleased, removeWorkspace } from './workspace-retention.ts';

/**
 * The attempt is over on this host: give its run slot back and close the workspace to every agent. A succeeded
 * attempt's workspace is removed (its artifacts are stored); a failed or cancelled one stays for inspection
 * until the retention sweep (workspace-retention.ts).
 */
export function makeReleaseHost(deps: TaskActivityDeps, attempts: Attempts) {
  return async function releaseHost(input: ReleaseHostInput): Promise<void> {
    await attempts.find(input.workspace)?.events.flush(10_000);
    try {
      await deps.sandbox.release(input.workspace);
      if (input.outcome === 'succeeded') await removeWorkspace(input.workspace);
      else await markReleased(input.workspace);
    } finally {
      deps.slots.release(input.workspace);
    }
    await attempts.close(input.workspace);
  };
}
