import { describe, expect, it } from 'vitest';
import { createBatcher, type Scheduler } from '../../web/src/lib/batcher.ts';
import { backoffDelay } from '../../web/src/lib/poll.ts';

/** A scheduler the test ticks by hand, standing in for requestAnimationFrame. */
function manualScheduler() {
  let queued: (() => void)[] = [];
  const schedule: Scheduler = (run) => {
    queued.push(run);
    return () => {
      queued = queued.filter((r) => r !== run);
    };
  };
  const tick = () => {
    const runs = queued;
    queued = [];
    for (const r of runs) r();
  };
  return { schedule, tick, pending: () => queued.length };
}

describe('event batching', () => {
  it('delivers many pushes as one batch per tick, in order', () => {
    const s = manualScheduler();
    const batches: number[][] = [];
    const b = createBatcher<number>((items) => batches.push(items), s.schedule);
    for (let i = 0; i < 10_000; i++) b.push(i);
    expect(batches).toHaveLength(0);
    expect(s.pending()).toBe(1);
    s.tick();
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(10_000);
    expect(batches[0][9_999]).toBe(9_999);
    b.push(1);
    b.push(2);
    s.tick();
    expect(batches.map((x) => x.length)).toEqual([10_000, 2]);
  });

  it('flush delivers at once and cancels the pending tick; dispose drops pending items', () => {
    const s = manualScheduler();
    const batches: string[][] = [];
    const b = createBatcher<string>((items) => batches.push(items), s.schedule);
    b.push('a');
    b.flush();
    expect(batches).toEqual([['a']]);
    expect(s.pending()).toBe(0);
    b.push('b');
    b.dispose();
    s.tick();
    expect(batches).toEqual([['a']]);
  });
});

describe('polling backoff', () => {
  it('doubles per failure and caps at 30 s', () => {
    expect(backoffDelay(2000, 0)).toBe(2000);
    expect(backoffDelay(2000, 1)).toBe(4000);
    expect(backoffDelay(2000, 3)).toBe(16_000);
    expect(backoffDelay(2000, 10)).toBe(30_000);
  });
});
