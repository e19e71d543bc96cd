import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { RELEASED, removeWorkspace } from '../activities/task/workspace-retention.ts';
import { workflowIdFor } from '../contracts/job.ts';
import { hostLostSignal } from '../workflows/messages.ts';

export interface DeadAttempt {
  jobId: string;
  attempt: number;
  root: string;
}

/**
 * Attempts this host was running when it died: workspaces under the (claimed) workspace dir that were never
 * released and that no live process holds.
 */
export async function findDeadAttempts(
  workspaceDir: string,
  inUse: (root: string) => Promise<boolean>,
): Promise<DeadAttempt[]> {
  const dead: DeadAttempt[] = [];
  const jobs = await readdir(workspaceDir, { withFileTypes: true }).catch(() => []);
  for (const job of jobs) {
    if (!job.isDirectory() || job.name.startsWith('.')) continue;
    const attempts = await readdir(join(workspaceDir, job.name), { withFileTypes: true }).catch(() => []);
    for (const a of attempts) {
      const n = /^attempt-(\d+)$/.exec(a.name);
      if (!a.isDirectory() || !n) continue;
      const root = join(workspaceDir, job.name, a.name);
      if ((await stat(join(root, RELEASED)).catch(() => null)) || (await inUse(root))) continue;
      dead.push({ jobId: job.name, attempt: Number(n[1]), root });
    }
  }
  return dead;
}

/**
 * A restarted worker's first act: what is left of each lost attempt's agent is killed, the run learns at
 * once that the attempt is lost (it ignores this if it has moved on), and the attempt's workspace goes. A
 * run that is unknown or closed needs no word; any other signalling error is logged and the workspace kept
 * for the retention sweep.
 */
export async function failOverDeadAttempts(
  client: Client,
  hostId: string,
  dead: DeadAttempt[],
  killLeftovers: (root: string) => Promise<number>,
  log: (level: 'info' | 'warn', message: string) => void,
): Promise<void> {
  for (const d of dead) {
    const killed = await killLeftovers(d.root);
    if (killed)
      log('info', `job ${d.jobId}: killed ${killed} leftover agent processes of attempt ${d.attempt}`);
    try {
      await client.workflow
        .getHandle(workflowIdFor(d.jobId))
        .signal(hostLostSignal, { hostId, attempt: d.attempt, reason: 'it restarted' });
      log(
        'info',
        `job ${d.jobId}: attempt ${d.attempt} was lost when this worker restarted; the run retries`,
      );
    } catch (err) {
      const closed =
        err instanceof WorkflowNotFoundError || /already completed/i.test((err as Error).message);
      if (!closed) {
        log('warn', `job ${d.jobId}: could not report lost attempt ${d.attempt}: ${(err as Error).message}`);
        continue;
      }
    }
    await removeWorkspace(d.root);
  }
}
