/**
 * `npm start` keeps its services running: a service that exits unexpectedly (a crash, `kill -9`) is started
 * again after a backoff (1 s, 2 s, 4 s … 30 s), and the launcher says so; one that keeps crashing (more than
 * `maxCrashes` times in `windowMs`) makes the launcher give up with a clear message and a non-zero exit.
 * Deployments use their own supervisor instead (compose restart policies, systemd): see README.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface Running {
  /** Resolves when the process has exited, with its exit code (null: killed by a signal). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export interface Supervisor {
  /** The current process, whichever restart it is. */
  readonly current: Running;
  stop(): Promise<void>;
}

export interface SuperviseOptions {
  log: (line: string) => void;
  /** Called once when a service keeps crashing; the launcher shuts everything down and exits non-zero. */
  giveUp: (reason: string) => void;
  maxCrashes?: number;
  windowMs?: number;
  /** First restart delay, doubled per crash in the window up to 30 s (default 1 s). */
  baseDelayMs?: number;
  /**
   * Resolves when the service may start again, awaited after the backoff: a crashed service stays down while
   * it is held (the chaos suite keeps a killed Temporal or PostgreSQL down for a set time this way).
   */
  restartHold?: (name: string) => Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function supervise(
  name: string,
  start: () => Promise<Running>,
  opts: SuperviseOptions,
): Promise<Supervisor> {
  const maxCrashes = opts.maxCrashes ?? 5;
  const windowMs = opts.windowMs ?? 10 * 60_000;
  let stopping = false;
  let current = await start();
  const crashes: number[] = [];

  const watch = async () => {
    for (;;) {
      const code = await current.exited;
      if (stopping) return;
      const now = Date.now();
      crashes.push(now);
      while (crashes.length && now - crashes[0] > windowMs) crashes.shift();
      if (crashes.length > maxCrashes) {
        opts.giveUp(
          `${name} exited ${crashes.length} times in ${Math.round(windowMs / 60_000)} minutes (last exit code ${code}); giving up`,
        );
        return;
      }
      const delay = Math.min(30_000, (opts.baseDelayMs ?? 1_000) * 2 ** (crashes.length - 1));
      opts.log(
        `${name} exited unexpectedly (code ${code}); restarting in ${delay / 1000} s (${crashes.length}/${maxCrashes} in ${Math.round(windowMs / 60_000)} min)`,
      );
      await sleep(delay);
      await opts.restartHold?.(name);
      if (stopping) return;
      try {
        current = await start();
        opts.log(`${name} restarted`);
      } catch (err) {
        opts.log(`${name} did not start again: ${(err as Error).message}`);
        // Counts as another crash on the next turn of the loop.
        current = { exited: Promise.resolve(1), stop: async () => {} };
      }
    }
  };
  void watch();
  return {
    get current() {
      return current;
    },
    async stop() {
      stopping = true;
      await current.stop();
    },
  };
}

/** A `restartHold` that waits while the file `<dir>/<service name>` exists (MOONMIND_RESTART_HOLD_DIR). */
export function holdWhileFileExists(dir: string): (name: string) => Promise<void> {
  return async (name) => {
    while (existsSync(path.join(dir, name))) await sleep(200);
  };
}
