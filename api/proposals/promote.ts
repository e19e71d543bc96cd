import type { z } from 'zod';
import type { JobView } from '../../contracts/job.ts';
import type { promoteSchema } from '../../contracts/proposals.ts';
import { appendEvents } from '../../db/events.ts';
import type { UserIdentity } from '../auth/identity.ts';
import type { ApiDeps } from '../context.ts';
import { conflict, HttpError, notFound, validationFailed } from '../errors.ts';
import { v5Uuid } from '../ids.ts';
import { loadJob } from '../jobs/detail.ts';
import { normalizeSubmission, submitJob } from '../jobs/submit.ts';
import { actorOf, underField } from './create.ts';
import { changeOpen, getProposal, type ProposalRow } from './store.ts';

/** A promotion's idempotency keys live here: the job id follows from the proposal id alone. */
const PROMOTION_KEYS = 'moonmind-proposal-promotion';
export const promotionJobId = (proposalId: string) => v5Uuid(PROMOTION_KEYS, proposalId);

type Deps = Pick<ApiDeps, 'client' | 'config' | 'skills' | 'sql'>;

/**
 * Promote a proposal into a job through the normal submission path. Idempotent by construction: the job id
 * is derived from the proposal id, so a repeat (concurrent, or after an API restart, or after the start
 * failed midway) starts nothing new and answers with the same job. The proposal is marked first (one
 * compare-and-set, so it can lose to a concurrent decision before any job exists), then the job started.
 */
export async function promoteProposal(
  deps: Deps,
  user: UserIdentity,
  id: string,
  body: z.infer<typeof promoteSchema>,
): Promise<{ row: ProposalRow; view: JobView; created: boolean }> {
  let row = await getProposal(deps.sql, id);
  if (!row) throw notFound('proposal');
  if (row.status === 'promoted') {
    // Promoted before: its job, or (when its start never happened) the start now.
    const earlier = await loadJob(deps, row.promoted_job_id as string).catch((err) => {
      if (err instanceof HttpError && err.code === 'not_found') return null;
      throw err;
    });
    if (earlier) return { row, view: earlier.view, created: false };
  } else if (row.status !== 'open') {
    throw conflict(
      `the proposal is ${row.status} (version ${row.version}): only an open proposal can change`,
    );
  } else {
    if (body.expectedVersion !== undefined && body.expectedVersion !== row.version)
      throw conflict(
        `the proposal is open (version ${row.version}): it changed since version ${body.expectedVersion}`,
      );
    row = await markPromoted(deps, user, row, body);
  }
  const { view, created } = await submitJob(deps, user, row.task_create_request, row.id, PROMOTION_KEYS, {
    proposalId: row.id,
  });
  await appendEvents(deps.sql, view.id, {
    // One event however often this runs: events are unique per (producer, seq).
    producer: `api:proposal:${row.id}`,
    events: [
      {
        seq: 1,
        level: 'info',
        type: 'proposal.promoted',
        message: `promoted from proposal ${row.id} by ${actorOf(user)}`,
        payload: { proposalId: row.id, title: row.title },
      },
    ],
  });
  return { row, view, created };
}

/** Validate the envelope the job will run (the stored one, or the edited one) and mark the proposal. */
async function markPromoted(
  deps: Deps,
  user: UserIdentity,
  row: ProposalRow,
  body: z.infer<typeof promoteSchema>,
): Promise<ProposalRow> {
  const field = body.taskCreateRequestOverride ? 'taskCreateRequestOverride' : 'taskCreateRequest';
  const envelope = {
    ...(body.taskCreateRequestOverride ?? row.task_create_request),
    ...(body.priority !== undefined ? { priority: body.priority } : {}),
    ...(body.maxAttempts !== undefined ? { maxAttempts: body.maxAttempts } : {}),
  };
  const checked = await normalizeSubmission(deps, envelope);
  if (!checked.ok) throw validationFailed(underField(field, checked.issues));
  const sql = deps.sql;
  const changed = await changeOpen(
    sql,
    row.id,
    row.version,
    sql`status = 'promoted', promoted_job_id = ${promotionJobId(row.id)}, promoted_at = now(),
      promoted_by_user_id = ${user.id}, task_create_request = ${sql.json(envelope as Parameters<typeof sql.json>[0])},
      repository = ${checked.job.payload.repository}`,
    { action: 'promote', actor: actorOf(user), note: body.taskCreateRequestOverride ? 'edited' : null },
  );
  if (changed) return changed;
  // A concurrent promotion of the same proposal won: the same job, so carry on with it.
  const now = await getProposal(sql, row.id);
  if (now?.status === 'promoted') return now;
  throw conflict(
    `the proposal is ${now?.status ?? 'gone'} (version ${now?.version}): another change came first`,
  );
}
