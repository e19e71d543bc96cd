import { ApplicationFailure } from '@temporalio/common';
import { type ScheduledFireInput, scheduleKeyNamespace } from '../../contracts/schedules.ts';
import type { ScheduleFireActivities } from '../../workflows/activities.ts';
import type { ApiDeps } from '../context.ts';
import { HttpError } from '../errors.ts';
import { prepareSubmission, recordSubmission } from '../jobs/submit.ts';

type FireDeps = Pick<ApiDeps, 'config' | 'skills' | 'sql'>;

/**
 * The activities of a schedule's fire, run by the control worker in the API process: the submission code
 * itself, so a fired run is a normal job. The job id is derived from the fire's workflow id, so a retried
 * activity names the same job, and the API can link a fire to its job without reading anything.
 */
export function scheduleFireActivities(deps: FireDeps): ScheduleFireActivities {
  return {
    async prepareScheduledRun(input: ScheduledFireInput & { fireId: string }) {
      const owner = await currentOwner(deps, input.owner.id);
      try {
        const { jobId, job, submittedAt, options } = await prepareSubmission(
          deps,
          owner,
          input.job,
          input.fireId,
          scheduleKeyNamespace(input.scheduleId),
          { scheduleId: input.scheduleId, fireId: input.fireId },
        );
        const { workflowIdConflictPolicy: _, ...child } = options;
        return { jobId, child, record: { jobId, job, submittedAt } };
      } catch (err) {
        if (err instanceof HttpError && err.code === 'validation_failed') {
          const issues = (err.issues ?? []).map((i) => `${i.path}: ${i.message}`).join('; ');
          throw ApplicationFailure.nonRetryable(
            `the schedule's task is invalid now: ${issues}`,
            'ScheduledTaskInvalid',
          );
        }
        throw err;
      }
    },
    async recordScheduledRun(record) {
      await recordSubmission(deps, record);
    },
  };
}

/** A schedule runs as its owner while the owner may still submit: a disabled or demoted owner stops its fires. */
async function currentOwner(deps: FireDeps, id: string) {
  const [user] = await deps.sql<{ id: string; name: string; role: 'viewer' | 'operator' | 'admin' }[]>`
    SELECT id, name, role FROM users WHERE id = ${id} AND disabled_at IS NULL`;
  if (!user || user.role === 'viewer')
    throw ApplicationFailure.nonRetryable(
      "the schedule's owner can no longer submit tasks (disabled, deleted or a viewer now)",
      'ScheduledTaskInvalid',
    );
  return user;
}
