import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ControlSignal, ControlVerdict, RunState } from '../contracts/controls.ts';

/**
 * The `taskRun` messages, used by name nowhere else: the API, the workers and the tests import these typed
 * definitions (defining them needs no workflow context). People send the same `control` JSON from the Temporal
 * CLI and Web UI; the workflow validates it.
 */
export const controlSignal = defineSignal<[ControlSignal]>('control');
/** The workflow's verdict on one control request (by request id); null while it has not seen it. */
export const controlVerdictQuery = defineQuery<ControlVerdict | null, [string]>('controlVerdict');
/** Sent when worker pools register or change: queued runs re-check routing at once. */
export const poolsChangedSignal = defineSignal('poolsChanged');
export const stateQuery = defineQuery<RunState>('state');
/**
 * The host of an attempt is gone: sent by the API's host monitor when a worker stops pinging, by a
 * worker that restarted under the same host id for each attempt it was running, and (`handedBack`) by a
 * worker stopping gracefully for each attempt it holds. The run fails that attempt at once instead of waiting
 * for timeouts, or, handed back, runs it again.
 */
export interface HostLost {
  hostId: string;
  /** Only this attempt (a restarted worker knows which); absent: whatever attempt runs on the host. */
  attempt?: number;
  /** Why, for the run's events: "no ping for 20 s", "it restarted", "worker stopping". */
  reason: string;
  /**
   * A worker stopping gracefully hands the attempt back: the run starts the same attempt again when a worker
   * is free, without counting it as failed.
   */
  handedBack?: boolean;
}
export const hostLostSignal = defineSignal<[HostLost]>('hostLost');
