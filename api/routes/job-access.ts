import { baseHost } from '../../contracts/repository.ts';
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

/** Worker routes: the job must exist and be inside the calling worker token's scope. */
export async function jobInWorkerScope(
  ctx: ApiContext,
  deps: Pick<ApiDeps, 'jobMeta' | 'config'>,
  jobId: string,
): Promise<void> {
  const meta = await existingJob(deps, jobId);
  const outside = jobOutsideScope(
    (ctx.state.identity as WorkerIdentity).scope,
    meta,
    baseHost(deps.config.MOONMIND_GIT_BASE_URL),
  );
  if (outside) throw forbidden(outside);
}
