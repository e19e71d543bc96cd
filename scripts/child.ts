import type { ChildProcess } from 'node:child_process';

export interface WatchedChild {
  readonly exited: boolean;
  /** Signal the child, escalate to SIGKILL after the grace period, resolve once it has exited. */
  stop(signal: NodeJS.Signals, graceMs: number): Promise<void>;
}

/** Track a service child's exit so stopping is idempotent and bounded. */
export function watchChild(child: ChildProcess, onExit?: () => void): WatchedChild {
  let exited = child.exitCode !== null || child.signalCode !== null;
  const done = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      onExit?.();
      resolve();
    }),
  );
  return {
    get exited() {
      return exited;
    },
    async stop(signal, graceMs) {
      if (exited) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await done;
      clearTimeout(timer);
    },
  };
}
