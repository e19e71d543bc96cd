/** The workflow bundle's entry: every export here is a workflow type. Deterministic code only. */

export { manifestRun } from './manifest/run.ts';
export { orchestratorRun } from './orchestrator/run.ts';
export { scheduledFire } from './scheduled-fire.ts';
export { taskRun } from './task-run.ts';
