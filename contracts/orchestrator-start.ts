import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { CONTROL_TASK_QUEUE } from './job.ts';
import type { OrchestratorRunInput } from './orchestrator.ts';
import { orchestratorWorkflowId } from './orchestrator-run.ts';
import { searchAttributes as sa } from './search-attributes.ts';

/** MoonMindPriority (an Int, like task priorities): a `high` run sorts above `normal` ones. */
const priorityValue = { normal: 0, high: 1 } as const;

/**
 * Everything `client.workflow.start('orchestratorRun', …)` needs, in one pure function so the API, tests and
 * benchmarks start runs identically: on the control queue like task runs, with the product's search
 * attributes and a summary that reads well in the Temporal Web UI.
 */
export function orchestratorStartOptions(input: OrchestratorRunInput) {
  const instruction = input.instruction.split('\n')[0].slice(0, 120);
  return {
    workflowId: orchestratorWorkflowId(input.runId),
    taskQueue: CONTROL_TASK_QUEUE,
    args: [input] as [OrchestratorRunInput],
    memo: {
      service: input.targetService,
      submittedBy: input.submittedBy.name,
      retryOf: input.retry?.of ?? null,
    },
    staticSummary: `orchestrator · ${input.targetService}: ${instruction}`,
    staticDetails: [
      `**Service** \`${input.targetService}\` (${input.runner} runner) · priority ${input.priority}`,
      `submitted by ${input.submittedBy.name} at ${input.submittedAt}`,
      input.retry ? `retry of run \`${input.retry.of}\` (its plan is reused)` : '',
    ]
      .filter(Boolean)
      .join('\n\n'),
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    typedSearchAttributes: [
      { key: sa.jobType, value: 'orchestrator' },
      { key: sa.status, value: 'pending' },
      { key: sa.priority, value: priorityValue[input.priority] },
      { key: sa.submitter, value: input.submittedBy.name },
    ],
  };
}
