/** The workflow bundle's entry: every export here is a workflow type. Deterministic code only. */
export { taskRun } from './task-run.ts';
