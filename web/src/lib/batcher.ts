/**
 * Collects items arriving one by one (SSE messages) and hands them over in batches, at most once per
 * `schedule` tick (a frame by default, or a timer when the tab is hidden and frames stop), so a flood of
 * log lines costs one state update per frame instead of one per line.
 */
export interface Batcher<T> {
  push(item: T): void;
  flush(): void;
  dispose(): void;
}

export type Scheduler = (run: () => void) => () => void;

/** requestAnimationFrame, with a 100 ms timer fallback (frames do not fire in hidden tabs). */
export const frameScheduler: Scheduler = (run) => {
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    run();
  };
  const raf = typeof requestAnimationFrame === 'function' ? requestAnimationFrame(once) : null;
  const timer = setTimeout(once, 100);
  return () => {
    done = true;
    if (raf !== null) cancelAnimationFrame(raf);
    clearTimeout(timer);
  };
};

export function createBatcher<T>(
  deliver: (items: T[]) => void,
  schedule: Scheduler = frameScheduler,
): Batcher<T> {
  let pending: T[] = [];
  let cancel: (() => void) | null = null;
  const flush = () => {
    cancel?.();
    cancel = null;
    if (pending.length === 0) return;
    const items = pending;
    pending = [];
    deliver(items);
  };
  return {
    push(item) {
      pending.push(item);
      cancel ??= schedule(flush);
    },
    flush,
    dispose() {
      cancel?.();
      cancel = null;
      pending = [];
    },
  };
}
