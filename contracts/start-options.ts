import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import {
  CONTROL_TASK_QUEUE,
  type JobMemo,
  type JobOrigin,
  priorityKeyFor,
  type TaskRunInput,
  workflowIdFor,
} from './job.ts';
import { type ManifestRunInput, manifestJobRecord, manifestJobTitle } from './manifest.ts';
import { searchAttributes as sa } from './search-attributes.ts';
import { jobTitle } from './task.ts';

/**
 * Everything `client.workflow.start('taskRun', …)` needs for a job, in one pure function so the API, tests
 * and benchmarks start runs identically. A deterministic workflow id plus USE_EXISTING makes retried
 * submissions (same idempotency key → same job id) return the same run.
 */
export function taskRunStartOptions(
  input: TaskRunInput,
  links: { origin?: JobOrigin; dashboardUrl?: string } = {},
) {
  const { job } = input;
  const { origin } = links;
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
    staticDetails: staticDetails(input, links),
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

export type TaskRunStartOptions = ReturnType<typeof taskRunStartOptions>;

/** The dashboard page of a job, under the API's public URL. */
export const dashboardJobUrl = (dashboardUrl: string, jobId: string) =>
  `${dashboardUrl.replace(/\/+$/, '')}/tasks/queue/${encodeURIComponent(jobId)}`;

/**
 * The run's "Details" in the Temporal Web UI (Markdown): what runs where, and the way back to the dashboard.
 * Temporal shows the priority key (1 runs first, 5 last), the dashboard the job's priority: both are named.
 */
export function staticDetails(
  input: TaskRunInput,
  links: { origin?: JobOrigin; dashboardUrl?: string } = {},
): string {
  const { payload, priority } = input.job;
  const { git, publish } = payload.task;
  const lines = [
    `**Repository** \`${payload.repository}\` · **runtime** ${payload.targetRuntime} · **publish** ${publish.mode}`,
  ];
  const branch = git.newBranch ?? git.startingBranch;
  if (branch) lines.push(`**Branch** \`${branch}\``);
  lines.push(
    `**Priority** ${priority} (Temporal priority key ${priorityKeyFor(priority)}) · **submitted by** ${input.submittedBy.name}`,
  );
  const { dashboardUrl, origin } = links;
  if (dashboardUrl) lines.push(`[Open in MoonMind](${dashboardJobUrl(dashboardUrl, input.jobId)})`);
  if (origin && 'rerunOf' in origin) {
    const of = dashboardUrl
      ? `[${origin.rerunOf}](${dashboardJobUrl(dashboardUrl, origin.rerunOf)})`
      : origin.rerunOf;
    lines.push(`Re-run of ${of}`);
  }
  if (origin && 'scheduleId' in origin)
    lines.push(`Fired by schedule \`${origin.scheduleId}\` (${origin.fireId})`);
  return lines.join('\n\n');
}

/**
 * `client.workflow.start('manifestRun', …)` options: the same id, queue, policies and memo shape as a task
 * (so lists, details and controls treat it as a job), its own workflow type and job-type search attribute.
 * The memo carries the job's record without the manifest's content (the input has it).
 */
export function manifestRunStartOptions(input: ManifestRunInput) {
  const { job, envelope } = input;
  const title = manifestJobTitle(job.name, job.action);
  const memo: JobMemo = {
    job: manifestJobRecord(job, envelope),
    submittedBy: input.submittedBy,
    submittedAt: input.submittedAt,
    title,
  };
  return {
    workflowId: workflowIdFor(input.jobId),
    taskQueue: CONTROL_TASK_QUEUE,
    args: [input] as [ManifestRunInput],
    memo: memo as unknown as Record<string, unknown>,
    staticSummary: title,
    staticDetails: `**Manifest** \`${job.name}\` · **action** ${job.action} · **hash** \`${job.manifestHash.slice(0, 12)}\` · **submitted by** ${input.submittedBy.name}`,
    priority: { priorityKey: priorityKeyFor(envelope.priority) },
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    typedSearchAttributes: [
      { key: sa.jobType, value: 'manifest' },
      { key: sa.status, value: 'queued' },
      { key: sa.priority, value: envelope.priority },
      { key: sa.submitter, value: input.submittedBy.name },
    ],
  };
}
