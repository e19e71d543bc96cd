import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import type { JobMemo, JobOrigin, JobView } from '../../contracts/job.ts';
import { manifestJobTitle } from '../../contracts/manifest.ts';
import { credentialHost, forgesFrom, locateRepository } from '../../contracts/repository.ts';
import {
  manifestRunStartOptions,
  type TaskRunStartOptions,
  taskRunStartOptions,
} from '../../contracts/start-options.ts';
import { jobTitle, type NormalizedJob, normalizeJob } from '../../contracts/task.ts';
import { appendEvents } from '../../db/events.ts';
import { indexJobs } from '../../db/job-index.ts';
import type { UserIdentity } from '../auth/identity.ts';
import type { ApiDeps } from '../context.ts';
import { validationFailed } from '../errors.ts';
import { v5Uuid } from '../ids.ts';
import { normalizeManifestJob } from '../manifests/normalize.ts';
import { checkAppliedTemplates, templateAppliedEvents } from '../presets/applied.ts';
import { viewerOf } from '../presets/store.ts';
import { dashboardUrlOf, loadJob, uiBaseOf } from './detail.ts';
import { submissionForgeHostRefusal } from './forge-check.ts';
import { jobView } from './views.ts';

// Submission times are unique within the process, so a repeat can tell its own start from an earlier one.
let lastSubmittedAt = 0;
function uniqueNow(): string {
  lastSubmittedAt = Math.max(Date.now(), lastSubmittedAt + 1);
  return new Date(lastSubmittedAt).toISOString();
}

/** The submission rules (deployment defaults, trusted forges, skills' capabilities) applied to a job envelope. */
export async function normalizeSubmission(deps: Pick<ApiDeps, 'config' | 'skills'>, input: unknown) {
  return normalizeJob(input, {
    defaultRuntime: deps.config.MOONMIND_DEFAULT_RUNTIME,
    defaultRepository: deps.config.MOONMIND_DEFAULT_REPOSITORY ?? null,
    forges: forgesFrom(deps.config),
    skillCapabilities: await deps.skills.capabilities(),
  });
}

/** A submission checked and ready to start: the job id, its normalized job and its start options. */
export interface PreparedSubmission {
  jobId: string;
  key: string | null;
  submittedAt: string;
  job: NormalizedJob;
  options: TaskRunStartOptions;
}

/**
 * Everything a submission does before its run starts: the submission rules, the applied templates, the forge
 * check, the job id (derived from the key when there is one) and the start options. A schedule's create and
 * edit use it to validate its task, and its fires to start theirs (api/schedules/).
 */
export async function prepareSubmission(
  deps: Pick<ApiDeps, 'config' | 'skills' | 'sql'>,
  submitter: Pick<UserIdentity, 'id' | 'name' | 'role'>,
  body: unknown,
  idempotencyKey: string | null,
  /** Whose keys these are: the submitter's by default; a proposal's promotion is keyed by the proposal alone. */
  keyNamespace = `moonmind-submission:${submitter.id}`,
  /** Recorded in the run's memo (a promoted proposal's job links back to it). */
  origin?: JobOrigin,
): Promise<PreparedSubmission> {
  const forges = forgesFrom(deps.config);
  const normalize = (input: unknown) => normalizeSubmission(deps, input);
  let result = await normalize(body);
  if (!result.ok) throw validationFailed(result.issues);
  if (result.job.payload.task.appliedStepTemplates.length) {
    const checked = await checkAppliedTemplates(deps.sql, await viewerOf(deps.sql, submitter), result.job);
    if (!checked.ok) throw validationFailed(checked.issues);
    // The templates' capabilities are the catalog's, not what the client recorded: normalize again with them.
    const task = (body as { payload: { task: { appliedStepTemplates: Record<string, unknown>[] } } }).payload
      .task;
    result = await normalize({
      ...(body as object),
      payload: {
        ...(body as { payload: object }).payload,
        task: {
          ...task,
          appliedStepTemplates: task.appliedStepTemplates.map((r, i) => ({
            ...r,
            requiredCapabilities: checked.capabilities[i],
          })),
        },
      },
    });
    if (!result.ok) throw validationFailed(result.issues);
  }
  const located = locateRepository(result.job.payload.repository, forges);
  const refusal =
    'location' in located
      ? await submissionForgeHostRefusal(credentialHost(located.location, forges), forges)
      : null;
  if (refusal) throw validationFailed([{ path: 'payload.repository', message: refusal }]);
  const clientRequestId = (body as { clientRequestId?: string }).clientRequestId?.trim();
  const key = idempotencyKey ?? clientRequestId ?? null;
  const jobId = key ? v5Uuid(keyNamespace, key) : randomUUID();
  const submittedAt = uniqueNow();
  const options = taskRunStartOptions(
    {
      jobId,
      job: result.job,
      submittedBy: { id: submitter.id, name: submitter.name },
      submittedAt,
    },
    { origin, dashboardUrl: dashboardUrlOf(deps.config) },
  );
  return { jobId, key, submittedAt, job: result.job, options };
}

/** What a submission records once its run started: the job index row, the applied-template events. */
export async function recordSubmission(
  deps: Pick<ApiDeps, 'sql'>,
  { jobId, job, submittedAt }: Pick<PreparedSubmission, 'jobId' | 'job' | 'submittedAt'>,
) {
  await indexJobs(deps.sql, [
    { jobId, title: jobTitle(job.payload), repository: job.payload.repository, createdAt: submittedAt },
  ]);
  // The applied-template events come from the API, so the workflow (and its replay) stays as it is.
  const applied = templateAppliedEvents(job);
  if (applied) await appendEvents(deps.sql, jobId, applied);
}

/** A task or manifest submission, ready to start as its workflow type. */
interface StartableSubmission {
  jobId: string;
  key: string | null;
  submittedAt: string;
  workflowType: 'taskRun' | 'manifestRun';
  options: TaskRunStartOptions | ReturnType<typeof manifestRunStartOptions>;
  /** What the submission records once its run started. */
  record(): Promise<void>;
}

async function prepareAnySubmission(
  deps: Pick<ApiDeps, 'config' | 'skills' | 'sql'>,
  submitter: UserIdentity,
  body: unknown,
  idempotencyKey: string | null,
  keyNamespace: string,
  origin?: JobOrigin,
): Promise<StartableSubmission> {
  if ((body as { type?: unknown } | null)?.type !== 'manifest') {
    const prepared = await prepareSubmission(deps, submitter, body, idempotencyKey, keyNamespace, origin);
    return { ...prepared, workflowType: 'taskRun', record: () => recordSubmission(deps, prepared) };
  }
  const { job, envelope } = await normalizeManifestJob(deps, body);
  const key = idempotencyKey ?? (body as { clientRequestId?: string }).clientRequestId?.trim() ?? null;
  const jobId = key ? v5Uuid(keyNamespace, key) : randomUUID();
  const submittedAt = uniqueNow();
  const submittedBy = { id: submitter.id, name: submitter.name };
  const options = manifestRunStartOptions({ jobId, job, envelope, submittedBy, submittedAt });
  const title = manifestJobTitle(job.name, job.action);
  return {
    jobId,
    key,
    submittedAt,
    workflowType: 'manifestRun',
    options,
    record: () => indexJobs(deps.sql, [{ jobId, title, repository: '', createdAt: submittedAt }]),
  };
}

/**
 * Validate, normalize and start a job (a task, or a manifest run: api/manifests/normalize.ts). With an idempotency key the job id is derived from the submitter and
 * the key, so every repeat (concurrent, or after an API restart) lands on the one run: the start of a
 * repeat is refused as already started and the repeat answers with that run (200), while the first
 * submission is answered from what it has, like one without a key (201).
 */
export async function submitJob(
  deps: Pick<ApiDeps, 'client' | 'config' | 'skills' | 'sql'>,
  submitter: UserIdentity,
  body: unknown,
  idempotencyKey: string | null,
  keyNamespace = `moonmind-submission:${submitter.id}`,
  origin?: JobOrigin,
): Promise<{ view: JobView; created: boolean }> {
  const prepared = await prepareAnySubmission(deps, submitter, body, idempotencyKey, keyNamespace, origin);
  const { jobId, key, submittedAt, options, workflowType } = prepared;
  let runId: string;
  try {
    // With a key, FAIL instead of USE_EXISTING: a start that succeeds is the first submission and is
    // answered from what is at hand (as without a key); only a repeat pays for reading the run back.
    runId = (
      await deps.client.workflow.start(
        workflowType,
        key ? { ...options, workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL } : options,
      )
    ).firstExecutionRunId;
  } catch (err) {
    // The key's run is running or already finished (REJECT_DUPLICATE): the repeat gets that run.
    if (!(key && err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const { view } = await loadJob(deps, jobId);
    return { view, created: view.createdAt === submittedAt };
  }
  await prepared.record();
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
