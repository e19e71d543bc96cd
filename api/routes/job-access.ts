import { ORCHESTRATOR_JOB_TYPE } from '../../contracts/orchestrator-run.ts';
import { baseHost } from '../../contracts/repository.ts';
import { getRun } from '../../db/orchestrator-runs.ts';
import type { WorkerIdentity } from '../auth/identity.ts';
import { jobOutsideScope } from '../auth/scope.ts';
import type { ApiContext, ApiDeps } from '../context.ts';
import { forbidden, notFound } from '../errors.ts';
import type { JobMeta } from '../jobs/meta.ts';

/** A job that exists (404 otherwise); cached, so polling events or artifacts costs no Temporal call. */
export async function existingJob(deps: Pick<ApiDeps, 'jobMeta'>, jobId: string): Promise<JobMeta> {
  const meta = await deps.jobMeta.get(jobId);
  if (!meta) throw notFound('job');
  return meta;
}

/**
 * Worker routes: the job must exist and be inside the calling worker token's scope. An orchestrator run's
 * host reports its step logs and artifacts the same way, under the run id (scope: job type `orchestrator`).
 */
export async function jobInWorkerScope(
  ctx: ApiContext,
  deps: Pick<ApiDeps, 'jobMeta' | 'config' | 'sql'>,
  jobId: string,
): Promise<void> {
  const outside = await workerScopeRefusal(deps, ctx.state.identity as WorkerIdentity, jobId);
  if (outside) throw forbidden(outside);
}

/** Why the job is outside the worker's scope (null: inside); 404 when there is no such job. */
export async function workerScopeRefusal(
  deps: Pick<ApiDeps, 'jobMeta' | 'config' | 'sql'>,
  worker: WorkerIdentity,
  jobId: string,
): Promise<string | null> {
  const meta = (await deps.jobMeta.get(jobId)) ?? (await orchestratorRunMeta(deps, jobId));
  return jobOutsideScope(worker.scope, meta, baseHost(deps.config.MOONMIND_GIT_BASE_URL));
}

async function orchestratorRunMeta(deps: Pick<ApiDeps, 'sql'>, runId: string): Promise<JobMeta> {
  const row = await getRun(deps.sql, runId);
  if (!row) throw notFound('job');
  return {
    type: ORCHESTRATOR_JOB_TYPE,
    repository: `services/${row.state.targetService}`,
    requiredCapabilities: [ORCHESTRATOR_JOB_TYPE],
  };
}
