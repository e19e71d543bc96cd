import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { LeaseOwner } from '../activities/task/run-slots.ts';
import { workflowIdFor } from '../contracts/job.ts';
import { hostLostSignal } from '../workflows/messages.ts';

/** Why a graceful stop hands attempts back, for the run's event ("handed back by <host>: worker stopping"). */
export const HAND_BACK_REASON = 'worker stopping';

/**
 * A worker stopping gracefully gives each attempt it holds back to its run (`hostLost` with `handedBack`): the
 * run cancels the attempt's activities here (its step stops its agent's process group) and starts the same
 * attempt again when a worker is free, without counting it as failed. Returns the attempts their runs heard
 * of (a closed or unknown run needs no word); one whose signal failed is left to the host monitor and the
 * restarted worker, as after a crash.
 */
export async function handBackAttempts(
  client: Client,
  hostId: string,
  held: { workspace: string; owner: LeaseOwner }[],
  log: (level: 'info' | 'warn', message: string) => void,
): Promise<{ workspace: string; owner: LeaseOwner }[]> {
  const told = await Promise.all(
    held.map(async (h) => {
      try {
        await client.workflow.getHandle(workflowIdFor(h.owner.jobId)).signal(hostLostSignal, {
          hostId,
          attempt: h.owner.attempt,
          reason: HAND_BACK_REASON,
          handedBack: true,
        });
        log('info', `job ${h.owner.jobId}: attempt ${h.owner.attempt} handed back (worker stopping)`);
        return true;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError || /already completed/i.test((err as Error).message))
          return true;
        log(
          'warn',
          `job ${h.owner.jobId}: could not hand back attempt ${h.owner.attempt}: ${(err as Error).message}`,
        );
        return false;
      }
    }),
  );
  return held.filter((_, i) => told[i]);
}
