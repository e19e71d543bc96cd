import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { JobMemo, JobView } from '../../contracts/job.ts';
import { credentialHost, forgesFrom, locateRepository } from '../../contracts/repository.ts';
import { taskRunStartOptions } from '../../contracts/start-options.ts';
import { normalizeJob } from '../../contracts/task.ts';
import { forgeHostRefusal } from '../../lib/forge-address.ts';
import type { UserIdentity } from '../auth/identity.ts';
import type { ApiDeps } from '../context.ts';
import { validationFailed } from '../errors.ts';
import { v5Uuid } from '../ids.ts';
import { loadJob, uiBaseOf } from './detail.ts';
import { jobView } from './views.ts';

// Submission times are unique within the process, so a repeat can tell its own start from an earlier one.
let lastSubmittedAt = 0;
function uniqueNow(): string {
  lastSubmittedAt = Math.max(Date.now(), lastSubmittedAt + 1);
  return new Date(lastSubmittedAt).toISOString();
}

/**
 * Validate, normalize and start a job. With an idempotency key the job id is derived from the submitter and
 * the key, and the deterministic workflow id + USE_EXISTING make every repeat (concurrent, or after an API
 * restart) land on the one run; `created` tells the first submission from the repeats.
 */
export async function submitJob(
  deps: Pick<ApiDeps, 'client' | 'config' | 'skills'>,
  submitter: UserIdentity,
  body: unknown,
  idempotencyKey: string | null,
): Promise<{ view: JobView; created: boolean }> {
  const forges = forgesFrom(deps.config);
  const result = normalizeJob(body, {
    defaultRuntime: deps.config.MOONMIND_DEFAULT_RUNTIME,
    defaultRepository: deps.config.MOONMIND_DEFAULT_REPOSITORY ?? null,
    forges,
    skillCapabilities: await deps.skills.capabilities(),
  });
  if (!result.ok) throw validationFailed(result.issues);
  const located = locateRepository(result.job.payload.repository, forges);
  const refusal =
    'location' in located ? await forgeHostRefusal(credentialHost(located.location, forges), forges) : null;
  if (refusal) throw validationFailed([{ path: 'payload.repository', message: refusal }]);
  const clientRequestId = (body as { clientRequestId?: string }).clientRequestId?.trim();
  const key = idempotencyKey ?? clientRequestId ?? null;
  const jobId = key ? v5Uuid(`moonmind-submission:${submitter.id}`, key) : randomUUID();
  const submittedAt = uniqueNow();
  const options = taskRunStartOptions({
    jobId,
    job: result.job,
    submittedBy: { id: submitter.id, name: submitter.name },
    submittedAt,
  });
  let runId: string | null = null;
  try {
    runId = (await deps.client.workflow.start('taskRun', options)).firstExecutionRunId;
  } catch (err) {
    // The key's run already finished (REJECT_DUPLICATE): the repeat gets that run.
    if (!(key && err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  if (key) {
    const { view } = await loadJob(deps, jobId);
    return { view, created: view.createdAt === submittedAt };
  }
  const view = jobView(
    {
      workflowId: options.workflowId,
      runId,
      executionStatus: 'RUNNING',
      startTime: new Date(submittedAt),
      closeTime: null,
      memo: options.memo as unknown as JobMemo,
      indexedStatus: 'queued',
    },
    { uiBase: uiBaseOf(deps.config), namespace: deps.client.options.namespace, jobId },
  );
  return { view, created: true };
}
