import { proxyActivities } from '@temporalio/workflow';
import type * as activities from './activities.ts';

const { noop } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

/** The baseline: a bare Temporal workflow with three no-op activities (prepare, execute, publish). */
export async function bareThreeStages(): Promise<void> {
  await noop('prepare');
  await noop('execute');
  await noop('publish');
}
