import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import {
  CONTROL_TASK_QUEUE,
  type JobMemo,
  type JobOrigin,
  priorityKeyFor,
  type TaskRunInput,
  workflowIdFor,
} from './job.ts';
import { searchAttributes as sa } from './search-attributes.ts';
import { jobTitle } from './task.ts';

/**
 * Everything `client.workflow.start('taskRun', …)` needs for a job, in one pure function so the API, tests
 * and benchmarks start runs identically. A deterministic workflow id plus USE_EXISTING makes retried
 * submissions (same idempotency key → same job id) return the same run.
 */
export function taskRunStartOptions(input: TaskRunInput, origin?: JobOrigin) {
  const { job } = input;
  const title = jobTitle(job.payload);
  const memo: JobMemo = {
    job,
    submittedBy: input.submittedBy,
    submittedAt: input.submittedAt,
    title,
    ...(origin ? { origin } : {}),
  };
  return {
    workflowId: workflowIdFor(input.jobId),
    taskQueue: CONTROL_TASK_QUEUE,
    args: [input] as [TaskRunInput],
    memo: memo as unknown as Record<string, unknown>,
    staticSummary: title,
    priority: { priorityKey: priorityKeyFor(job.priority) },
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    typedSearchAttributes: [
      { key: sa.jobType, value: job.type },
      { key: sa.status, value: 'queued' },
      { key: sa.repository, value: job.payload.repository },
      { key: sa.runtime, value: job.payload.targetRuntime },
      { key: sa.skill, value: job.payload.task.skill.id },
      { key: sa.publishMode, value: job.payload.task.publish.mode },
      { key: sa.priority, value: job.priority },
      { key: sa.submitter, value: input.submittedBy.name },
    ],
  };
}
