import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type * as activities from './activities.ts';

const { noop } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });
const local = proxyLocalActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

/** The baseline: a bare Temporal workflow with three no-op activities (prepare, execute, publish). */
export async function bareThreeStages(): Promise<void> {
  await noop('prepare');
  await noop('execute');
  await noop('publish');
}

/**
 * The same with no-op local activities where a task run has its own (routing before the first activity,
 * an event batch beside the second, the final event batch before the end): what local activities cost.
 */
export async function bareWithLocalActivities(): Promise<void> {
  await local.noop('route');
  await noop('prepare');
  await Promise.all([local.noop('events'), noop('execute')]);
  await noop('publish');
  await local.noop('events');
}
