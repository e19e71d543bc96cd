import type { UserIdentity } from '../auth/identity.ts';
import type { ApiDeps } from '../context.ts';
import { conflict, notFound } from '../errors.ts';
import { actorOf } from './create.ts';
import { type ChangeSet, changeOpen, getProposal, type HistoryAction, type ProposalRow } from './store.ts';

const stateOf = (r: ProposalRow) => `the proposal is ${r.status} (version ${r.version})`;

/** The open proposal a change applies to, at the version the caller saw (409 naming the current state). */
export async function openProposal(
  deps: Pick<ApiDeps, 'sql'>,
  id: string,
  expectedVersion: number | undefined,
): Promise<ProposalRow> {
  const row = await getProposal(deps.sql, id);
  if (!row) throw notFound('proposal');
  if (row.status !== 'open') throw conflict(`${stateOf(row)}: only an open proposal can change`);
  if (expectedVersion !== undefined && expectedVersion !== row.version)
    throw conflict(`${stateOf(row)}: it changed since version ${expectedVersion}`);
  return row;
}

/**
 * Change an open proposal: one compare-and-set on the version it was read at (the expected one, else the
 * current), so of two concurrent changes exactly one lands; the other is a 409 naming the state it lost to.
 */
export async function changeProposal(
  deps: Pick<ApiDeps, 'sql'>,
  user: UserIdentity,
  id: string,
  expectedVersion: number | undefined,
  action: HistoryAction,
  set: (sql: ApiDeps['sql']) => ChangeSet,
  note: string | null = null,
): Promise<ProposalRow> {
  const row = await openProposal(deps, id, expectedVersion);
  const changed = await changeOpen(deps.sql, id, row.version, set(deps.sql), {
    action,
    actor: actorOf(user),
    note,
  });
  if (changed) return changed;
  const now = await getProposal(deps.sql, id);
  throw conflict(`${now ? stateOf(now) : 'the proposal is gone'}: another change came first`);
}

/** The status each decision leaves a proposal in. */
export const decisions = {
  dismiss: 'dismissed',
  accept: 'accepted',
  reject: 'rejected',
} as const;

export const decide = (
  deps: Pick<ApiDeps, 'sql'>,
  user: UserIdentity,
  id: string,
  decision: keyof typeof decisions,
  body: { expectedVersion?: number; note?: string },
) =>
  changeProposal(
    deps,
    user,
    id,
    body.expectedVersion,
    decision,
    (sql) =>
      sql`status = ${decisions[decision]}, decided_by_user_id = ${user.id}, decision_note = ${body.note || null}`,
    body.note || null,
  );
