import type { ActivitySlotInfo, CustomSlotSupplier } from '@temporalio/worker';
import type { RunSlots } from '../activities/task/run-slots.ts';

/**
 * The pool-queue worker's activity slots come from the process's run slots: the worker polls only while
 * a run slot is free, so a busy host leaves waiting runs on the queue, where Temporal's priority order
 * decides which one the next free slot takes. `prepare` converts its reservation into a lease
 * (RunSlots.claim) before the reservation itself is given back here.
 */
export function runSlotSupplier(slots: RunSlots): CustomSlotSupplier<ActivitySlotInfo> {
  return {
    type: 'custom',
    async reserveSlot(_ctx, abortSignal) {
      await slots.reserve(abortSignal);
      return {};
    },
    tryReserveSlot() {
      return slots.tryReserve() ? {} : null;
    },
    markSlotUsed() {},
    releaseSlot() {
      slots.unreserve();
    },
  };
}
