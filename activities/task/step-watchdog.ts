/**
 * Stops a step that printed nothing for `idleMs` or has run for longer than `limitMs` (time spent hard-paused
 * counts for neither), so a hung agent does not hold its run slot until the activity's own timeout.
 */
export interface StepWatchdog {
  /** Aborted when a limit is crossed; the process group is stopped through it. */
  signal: AbortSignal;
  /** Why it fired, for the step's failure ("no output for 15 minutes"); null while it has not. */
  readonly reason: string | null;
  /** The step printed something. */
  output(): void;
  stop(): void;
}

export function stepWatchdog(opts: {
  idleMs: number;
  limitMs: number;
  suspended: () => boolean;
}): StepWatchdog {
  const abort = new AbortController();
  let reason: string | null = null;
  let idle = 0;
  let active = 0;
  let last = Date.now();
  const fire = (why: string) => {
    reason = why;
    clearInterval(timer);
    abort.abort(new Error(why));
  };
  const timer = setInterval(
    () => {
      const now = Date.now();
      const elapsed = now - last;
      last = now;
      if (opts.suspended()) return;
      idle += elapsed;
      active += elapsed;
      if (active > opts.limitMs) fire(`ran longer than ${duration(opts.limitMs)} (MOONMIND_STEP_TIMEOUT)`);
      else if (idle > opts.idleMs)
        fire(`no output for ${duration(opts.idleMs)} (MOONMIND_STEP_IDLE_TIMEOUT)`);
    },
    Math.max(50, Math.min(1_000, opts.idleMs / 4)),
  );
  timer.unref();
  return {
    signal: abort.signal,
    get reason() {
      return reason;
    },
    output() {
      idle = 0;
    },
    stop() {
      clearInterval(timer);
    },
  };
}

/** `15 minutes`, `8 hours`, `90 seconds`: as people read a limit. */
export function duration(ms: number): string {
  const units: [number, string][] = [
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1_000, 'second'],
  ];
  for (const [size, name] of units)
    if (ms >= size && ms % size === 0) return `${ms / size} ${name}${ms === size ? '' : 's'}`;
  return `${ms} ms`;
}
