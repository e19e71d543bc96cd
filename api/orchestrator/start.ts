import { randomUUID } from 'node:crypto';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { CONTROL_TASK_QUEUE } from '../../contracts/job.ts';
import type {
  Approval,
  OrchestratorPlan,
  OrchestratorRunInput,
  OrchestratorSubmit,
} from '../../contracts/orchestrator.ts';
import {
  orchestratorPriorityKey,
  orchestratorPriorityValue,
  orchestratorWorkflowId,
} from '../../contracts/orchestrator-run.ts';
import { searchAttributes as sa } from '../../contracts/search-attributes.ts';
import { insertRun } from '../../db/orchestrator-runs.ts';
import type { UserIdentity } from '../auth/identity.ts';
import type { ApiDeps } from '../context.ts';
import { forbidden, validationFailed } from '../errors.ts';
import { approvalTokenMatches } from './approval-token.ts';

/**
 * Everything `client.workflow.start('orchestratorRun', …)` needs: on the control queue like task runs (the
 * workflow finds a pool claiming `orchestrator` itself), searchable as MoonMindJobType=orchestrator.
 */
export function orchestratorStartOptions(input: OrchestratorRunInput) {
  return {
    workflowId: orchestratorWorkflowId(input.runId),
    taskQueue: CONTROL_TASK_QUEUE,
    args: [input] as [OrchestratorRunInput],
    staticSummary: `${input.targetService}: ${input.instruction.slice(0, 120)}`,
    priority: { priorityKey: orchestratorPriorityKey(input.priority) },
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    typedSearchAttributes: [
      { key: sa.jobType, value: 'orchestrator' },
      { key: sa.status, value: 'pending' },
      { key: sa.priority, value: orchestratorPriorityValue(input.priority) },
      { key: sa.submitter, value: input.submittedBy.name },
    ],
  };
}

const serviceOf = (deps: Pick<ApiDeps, 'services'>, name: string) => {
  const profile = deps.services.get(name);
  if (!profile)
    throw validationFailed([{ path: 'targetService', message: 'is not a service of the service profiles' }]);
  return profile;
};

/**
 * The submitted service must be one of the profiles (400 naming `targetService`); an approval token, when
 * presented, must be the protected service's own (403 otherwise) and then approves the run at submission.
 */
async function approvalAtSubmission(
  deps: Pick<ApiDeps, 'config' | 'services'>,
  submitter: UserIdentity,
  body: Pick<OrchestratorSubmit, 'targetService' | 'approvalToken'>,
  tokenField: string,
): Promise<Approval | null> {
  const profile = serviceOf(deps, body.targetService);
  if (body.approvalToken === undefined || !profile.protected) return null;
  if (!profile.approvalToken)
    throw validationFailed([{ path: tokenField, message: 'this service takes no approval token' }]);
  if (!(await approvalTokenMatches(deps.config, profile, body.approvalToken)))
    throw forbidden('the approval token is wrong');
  return { actor: submitter.name, at: new Date().toISOString(), tokenVerified: true, atSubmission: true };
}

/** Record the run (its row) and start its workflow; a retry carries the earlier run's plan. */
export async function startOrchestratorRun(
  deps: Pick<ApiDeps, 'client' | 'config' | 'sql' | 'services'>,
  submitter: UserIdentity,
  body: OrchestratorSubmit,
  retry: { of: string; plan: OrchestratorPlan } | null = null,
): Promise<{ runId: string; approval: Approval | null }> {
  const approval = await approvalAtSubmission(deps, submitter, body, 'approvalToken');
  const input: OrchestratorRunInput = {
    runId: randomUUID(),
    instruction: body.instruction,
    targetService: body.targetService,
    priority: body.priority,
    submittedBy: { id: submitter.id, name: submitter.name },
    submittedAt: new Date().toISOString(),
    approval,
    // An approval belongs to the run it was given for: a retry asks again.
    retry: retry && { of: retry.of, plan: { ...retry.plan, approval: null } },
    approvalTimeoutSeconds: Math.round(deps.config.MOONMIND_ORCHESTRATOR_APPROVAL_TIMEOUT / 1000),
    runner: serviceOf(deps, body.targetService).runner,
    publish: body.publish,
  };
  await insertRun(deps.sql, input);
  try {
    await deps.client.workflow.start('orchestratorRun', orchestratorStartOptions(input));
  } catch (err) {
    // No run started: no row may stay `pending` for it.
    await deps.sql`DELETE FROM orchestrator_runs WHERE id = ${input.runId}`.catch(() => {});
    throw err;
  }
  return { runId: input.runId, approval };
}
