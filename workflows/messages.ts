import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ControlSignal, RunState } from '../contracts/controls.ts';

/** The `taskRun` messages. Importable from the API (no workflow context needed to define them). */
export const controlSignal = defineSignal<[ControlSignal]>('control');
/** Sent when worker pools register or change: queued runs re-check routing at once. */
export const poolsChangedSignal = defineSignal('poolsChanged');
export const stateQuery = defineQuery<RunState>('state');
