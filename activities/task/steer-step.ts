import type { SteerStepInput, SteerStepResult } from '../../contracts/activities.ts';
import type { Attempts } from './attempts.ts';
import { deliverAndReport } from './inbox.ts';
import type { RunningSteps } from './running-steps.ts';

/**
 * The workflow reaching a running step at once: a hard pause stops its whole process group (SIGSTOP), resume
 * continues it (SIGCONT), operator messages are appended to the workspace's `operator_inbox.jsonl` where the
 * agent can read them mid-step. Each is recorded as an event saying when it took effect.
 */
export function makeSteerStep(running: RunningSteps, attempts: Attempts) {
  return async function steerStep(input: SteerStepInput): Promise<SteerStepResult> {
    const ctx = attempts.find(input.workspace);
    const proc = running.get(input.workspace);
    if (!ctx || !proc) return { applied: false };
    const { events, paths } = ctx;
    if (input.action === 'suspend' && !proc.suspended) {
      proc.suspend();
      events.emit({
        type: 'runtime.suspended',
        message: 'Hard pause: runtime process group stopped',
        payload: { pid: proc.pid },
      });
    } else if (input.action === 'resume' && proc.suspended) {
      proc.resume();
      events.emit({
        type: 'runtime.resumed',
        message: 'Runtime process group continued',
        payload: { pid: proc.pid },
      });
    } else if (input.action === 'messages') {
      await deliverAndReport(paths.operatorInbox, input.messages ?? [], events, "the running step's inbox");
    }
    await events.flush(5_000);
    return { applied: true };
  };
}
