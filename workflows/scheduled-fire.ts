import { ParentClosePolicy, startChild, workflowInfo } from '@temporalio/workflow';
import type { TaskRunResult } from '../contracts/job.ts';
import type { ScheduledFireInput, ScheduledFireResult } from '../contracts/schedules.ts';
import { scheduleFire } from './activities.ts';
import { isCancellation } from './failures.ts';

/**
 * One fire of a schedule (docs/schedules.md): submits the schedule's task through the submission rules and
 * runs it as a child `taskRun` with a normal job id, then waits for it. Because this workflow stays open
 * while the task runs, the schedule's overlap policy applies to the task runs themselves.
 */
export async function scheduledFire(input: ScheduledFireInput): Promise<ScheduledFireResult> {
  const fireId = workflowInfo().workflowId;
  const start = await scheduleFire.prepareScheduledRun({ ...input, fireId });
  // Cancelling or terminating the fire (overlap `cancel_other`) cancels the task run; it cleans up itself.
  const child = await startChild('taskRun', {
    ...start.child,
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
  });
  await scheduleFire.recordScheduledRun(start.record);
  try {
    const result = (await child.result()) as TaskRunResult;
    return { jobId: start.jobId, status: result.status };
  } catch (err) {
    if (isCancellation(err)) throw err;
    // A failed or dead-lettered run ends as a Temporal failure; the fire itself did what it should.
    return { jobId: start.jobId, status: 'failed' };
  }
}
