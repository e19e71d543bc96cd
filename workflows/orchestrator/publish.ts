import { isCancellation } from '@temporalio/workflow';
import type { PublishServiceResult } from '../../contracts/orchestrator-activities.ts';
import { failureMessage } from '../failures.ts';
import type { OrchestratorRunTracker } from './state.ts';

/**
 * Publish a verified fix (a branch, or a pull request). A failure here does not undo a healthy fix: the run
 * still succeeds, with the error on its state (`publishError`) and in its events. A cancel passes through.
 */
export async function publishFix(
  run: OrchestratorRunTracker,
  mode: 'branch' | 'pr',
  changed: string[],
  call: () => Promise<PublishServiceResult>,
): Promise<void> {
  if (changed.length === 0) {
    run.events.emit('orchestrator.publish.skipped', 'nothing to publish: the patch changed no file', {
      mode,
    });
    return;
  }
  run.events.emit('orchestrator.publish.started', `publishing the fix (${mode})`, { mode });
  try {
    const result = await call();
    run.set({ branch: result.branch, prUrl: result.prUrl });
    run.events.emit('orchestrator.publish.succeeded', result.detail, {
      mode,
      branch: result.branch,
      commit: result.commit,
      prUrl: result.prUrl,
    });
  } catch (err) {
    if (isCancellation(err) && run.cancelledBy) throw err;
    const error = failureMessage(err);
    run.set({ publishError: error });
    run.events.emit('orchestrator.publish.failed', `publish failed: ${error}`, { mode, error }, 'warn');
  }
}
