import { TimeoutType } from '@temporalio/common';
import { ActivityFailure, ApplicationFailure, isCancellation, TimeoutFailure } from '@temporalio/workflow';

/** The application failure type activities throw for a failure that retrying cannot fix. */
const TASK_FAILURE = 'TaskFailure';

export const taskFailure = (message: string) => ApplicationFailure.nonRetryable(message, TASK_FAILURE);

const causeOf = (err: unknown) => (err instanceof ActivityFailure ? err.cause : err);

export function isTaskFailure(err: unknown): boolean {
  const cause = causeOf(err);
  return cause instanceof ApplicationFailure && cause.type === TASK_FAILURE;
}

/** No worker picked the activity up in time (a busy pool, or a host that is gone). */
export function isScheduleToStartTimeout(err: unknown): boolean {
  const cause = causeOf(err);
  return cause instanceof TimeoutFailure && cause.timeoutType === TimeoutType.SCHEDULE_TO_START;
}

export { isCancellation };

/** One line for events and the run's `error`: the innermost cause's message. */
export function failureMessage(err: unknown): string {
  let e: unknown = err;
  while (e instanceof ActivityFailure && e.cause) e = e.cause;
  if (e instanceof TimeoutFailure)
    return `activity timed out (${(e.timeoutType ?? 'unknown').toLowerCase().replaceAll('_', '-')})`;
  return e instanceof Error ? e.message : String(e);
}
