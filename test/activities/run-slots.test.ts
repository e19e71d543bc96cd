import { afterEach, describe, expect, it } from 'vitest';
import { RunSlots } from '../../activities/task/run-slots.ts';

let slots: RunSlots;
afterEach(() => slots?.stop());
const owner = { jobId: 'j', attempt: 1 };
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('RunSlots', () => {
  it('holds polling while every slot is leased, and frees on release', async () => {
    slots = new RunSlots(1, 60_000);
    await slots.reserve();
    slots.claim('/ws/a', owner); // prepare ran
    slots.unreserve(); // its poll permit is given back, the lease stays
    expect(slots.free).toBe(0);
    let reserved = false;
    const next = slots.reserve().then(() => {
      reserved = true;
    });
    await tick(50);
    expect(reserved).toBe(false);
    slots.release('/ws/a');
    await next;
    expect(reserved).toBe(true);
  });

  it('expires a lease with no host activity, but not while one runs', async () => {
    slots = new RunSlots(1, 200);
    const released: string[] = [];
    slots.onRelease((k) => released.push(k));
    slots.claim('/ws/a', owner);
    const leave = slots.enter('/ws/a', owner);
    await tick(500);
    expect(slots.held).toEqual(['/ws/a']);
    leave();
    await tick(500);
    expect(slots.held).toEqual([]);
    expect(released).toEqual(['/ws/a']);
  });

  it('keeps an idle lease the run still needs (e.g. soft-paused), frees it once the run moved on', async () => {
    let needed = true;
    slots = new RunSlots(1, 200, async (o) => o.jobId === 'j' && needed);
    slots.claim('/ws/a', owner);
    await tick(600);
    expect(slots.held).toEqual(['/ws/a']);
    needed = false;
    await tick(600);
    expect(slots.held).toEqual([]);
  });

  it('an aborted reservation rejects with the signal reason and takes nothing', async () => {
    slots = new RunSlots(1, 60_000);
    slots.claim('/ws/a', owner);
    const ac = new AbortController();
    const pending = slots.reserve(ac.signal);
    const reason = new Error('not needed');
    ac.abort(reason);
    await expect(pending).rejects.toBe(reason);
    slots.release('/ws/a');
    expect(slots.free).toBe(1);
  });
});
