import type { JobView } from '../../contracts/job.ts';
import { isTerminal } from '../../contracts/status.ts';
import { appendEvents } from '../../db/events.ts';
import type { UserIdentity } from '../auth/identity.ts';
import type { ApiDeps } from '../context.ts';
import { conflict } from '../errors.ts';
import { loadJob } from './detail.ts';
import { submitJob } from './submit.ts';

/**
 * Run a finished job again: the same task envelope (as the run normalized it) through today's submission rules,
 * as a new job whose memo says `origin.rerunOf`; the old job gets a `job.rerun` event naming the new one. A
 * repeat with the same idempotency key answers the same new job.
 */
export async function rerunJob(
  deps: Pick<ApiDeps, 'client' | 'config' | 'skills' | 'sql'>,
  user: UserIdentity,
  jobId: string,
  idempotencyKey: string | null,
): Promise<{ view: JobView; created: boolean }> {
  const { view: old, summary } = await loadJob(deps, jobId);
  if (!isTerminal(old.status))
    throw conflict(`cannot re-run: the run is ${old.status} (only a finished run)`);
  // A manifest job's memo has no content to submit again: its registry route runs it anew.
  if (summary.memo.job.type === 'manifest')
    throw conflict(
      'cannot re-run a manifest job here: run it again from its registry (POST /api/manifests/{name}/runs)',
    );
  const { type, priority, maxAttempts, affinityKey, payload } = summary.memo.job;
  const result = await submitJob(
    deps,
    user,
    { type, priority, maxAttempts, affinityKey, payload },
    idempotencyKey,
    `moonmind-rerun:${user.id}:${jobId}`,
    { rerunOf: jobId },
  );
  if (result.created) {
    await appendEvents(deps.sql, jobId, {
      // One event per new job, however often this is retried: events are unique per (producer, seq).
      producer: `api:rerun:${result.view.id}`,
      events: [
        {
          seq: 1,
          level: 'info',
          type: 'job.rerun',
          message: `re-run as ${result.view.id} by ${user.name}`,
          payload: { rerunJobId: result.view.id, actor: user.name },
        },
      ],
    });
  }
  return result;
}
