import type { pino } from 'pino';
import { ApiError, type WorkerApiClient } from '../activities/reporting/api-client.ts';
import type { LeaseOwner } from '../activities/task/run-slots.ts';

/** How often a worker tells the API it is alive; the API's host monitor counts silence against this. */
export const PING_INTERVAL_MS = 5_000;

/**
 * Pings the API every few seconds with the attempts this host runs. An API that no longer knows the host
 * (its database was reset) answers 404, or 403 after the worker's token changed: the worker registers again. Failures are logged once per outage.
 * Stopping sends a last ping that says the host is leaving.
 */
export function startHostPings(options: {
  api: WorkerApiClient;
  hostId: string;
  attempts: () => LeaseOwner[];
  register: () => Promise<unknown>;
  log: pino.Logger;
}): { now(): void; stop(): Promise<void> } {
  const { api, hostId, log } = options;
  let failingSince: number | null = null;
  const ping = async () => {
    try {
      await api.ping(hostId, options.attempts());
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 403)) {
        await options.register().catch(() => {});
        return;
      }
      if (failingSince === null) {
        failingSince = Date.now();
        log.warn(
          `pinging the API failed (the host monitor may count this worker lost): ${(err as Error).message}`,
        );
      }
      return;
    }
    if (failingSince !== null) {
      log.info(`pinging the API again after ${Math.round((Date.now() - failingSince) / 1000)} s`);
      failingSince = null;
    }
  };
  let busy = false;
  let again = false;
  const tick = () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    void ping().finally(() => {
      busy = false;
      if (again) {
        again = false;
        tick();
      }
    });
  };
  const timer = setInterval(tick, PING_INTERVAL_MS);
  timer.unref();
  return {
    /** Ping now (a new attempt started: the API should know before the host could die with it). */
    now: tick,
    /** The last ping says the host is leaving (best effort: a silent host is found lost anyway). */
    async stop() {
      clearInterval(timer);
      await api.ping(hostId, [], true).catch(() => {});
    },
  };
}
