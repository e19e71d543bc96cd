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
