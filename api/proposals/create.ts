import { type ProposalCreate, proposalDedupKey } from '../../contracts/proposals.ts';
import { baseHost, repositoryMatches } from '../../contracts/repository.ts';
import type { FieldIssue } from '../../contracts/task.ts';
import type { Identity } from '../auth/identity.ts';
import type { ApiDeps } from '../context.ts';
import { forbidden, validationFailed } from '../errors.ts';
import { normalizeSubmission } from '../jobs/submit.ts';
import { insertProposal, type ProposalRow } from './store.ts';

/** A job envelope's issues as paths of the field that carried it (`taskCreateRequest.payload.task...`). */
export const underField = (field: string, issues: FieldIssue[]) =>
  issues.map((i) => ({ ...i, path: `${field}.${i.path}` }));

/** Who did it, as the history shows it. */
export const actorOf = (identity: Identity) =>
  identity.kind === 'user' ? identity.name : `worker:${identity.name}`;

/**
 * Store a proposal: its job envelope validated by the submission rules (the repository canonical), a worker
 * kept to the repositories of its token, and a duplicate of an open proposal answered with that one.
 */
export async function createProposal(
  deps: Pick<ApiDeps, 'sql' | 'config' | 'skills'>,
  identity: Identity,
  body: ProposalCreate,
): Promise<{ row: ProposalRow; created: boolean }> {
  const checked = await normalizeSubmission(deps, body.taskCreateRequest);
  if (!checked.ok) throw validationFailed(underField('taskCreateRequest', checked.issues));
  const repository = checked.job.payload.repository;
  if (
    identity.kind === 'worker' &&
    !identity.scope.repositories.some((p) =>
      repositoryMatches(p, repository, baseHost(deps.config.MOONMIND_GIT_BASE_URL)),
    )
  )
    throw forbidden("the repository is outside this worker's scope");
  return insertProposal(
    deps.sql,
    {
      ...body,
      repository,
      dedupKey: proposalDedupKey(repository, body.title),
      proposedByWorkerId: identity.kind === 'worker' ? (identity.tokenId ?? identity.name) : null,
      proposedByUserId: identity.kind === 'user' ? identity.id : null,
    },
    actorOf(identity),
  );
}
