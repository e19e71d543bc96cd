import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { Logger } from 'pino';
import { workflowIdFor } from '../contracts/job.ts';
import type { Sql } from '../db/client.ts';
import { markLost, silentHosts } from '../db/worker-hosts.ts';
import { hostLostSignal } from '../workflows/messages.ts';
import { PING_INTERVAL_MS } from './host-pings.ts';

/** A host that has not pinged for this long (four missed pings) is lost. */
export const HOST_LOST_AFTER_MS = 4 * PING_INTERVAL_MS;

/**
 * Runs next to the control worker: every few seconds, hosts silent past HOST_LOST_AFTER_MS are counted lost
 * and each run they said they were running gets `hostLost` (its attempt then fails at once and retries
 * elsewhere). Silence is only judged after the monitor itself has watched that long without a gap: right
 * after an API restart or a PostgreSQL outage every host looks silent, because nobody could record pings.
 */
export function startHostMonitor(options: {
  sql: Sql;
  client: Client;
  logger: Logger;
  intervalMs?: number;
  lostAfterMs?: number;
}): { stop(): void } {
  const { sql, client, logger } = options;
  const intervalMs = options.intervalMs ?? PING_INTERVAL_MS / 2;
  const lostAfterMs = options.lostAfterMs ?? HOST_LOST_AFTER_MS;
  let watchingSince: number | null = null;
  let lastCheck = 0;

  const check = async () => {
    const now = Date.now();
    if (watchingSince === null || now - lastCheck > 2 * intervalMs + 1_000) watchingSince = now;
    const hosts = await silentHosts(sql, lostAfterMs);
    lastCheck = now;
    if (now - watchingSince < lostAfterMs) return;
    for (const host of hosts) {
      const reason = `no ping for ${Math.round(host.silentMs / 1000)} s`;
      // Every run hears of it before the host counts lost; a failed signal is tried again next round.
      const told = await Promise.all(host.attempts.map((a) => tell(client, host.hostId, a, reason)));
      if (told.every(Boolean) && (await markLost(sql, host.hostId, lostAfterMs)))
        logger.warn(
          { hostId: host.hostId, runs: host.attempts.length },
          `worker ${host.hostId} lost: ${reason}`,
        );
    }
  };

  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    check()
      .catch((err) => {
        watchingSince = null;
        logger.warn({ err: (err as Error).message }, 'host monitor check failed');
      })
      .finally(() => {
        busy = false;
      });
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

async function tell(
  client: Client,
  hostId: string,
  a: { jobId: string; attempt: number },
  reason: string,
): Promise<boolean> {
  try {
    await client.workflow
      .getHandle(workflowIdFor(a.jobId))
      .signal(hostLostSignal, { hostId, attempt: a.attempt, reason });
    return true;
  } catch (err) {
    return err instanceof WorkflowNotFoundError;
  }
}
