import { repositoryKey, repositoryMatches } from '../../contracts/repository.ts';
import type { JobMeta } from '../jobs/meta.ts';
import type { WorkerScope } from './identity.ts';

const lower = (xs: string[]) => xs.map((x) => x.trim().toLowerCase());
const allows = (list: string[], value: string) =>
  list.includes('*') || lower(list).includes(value.toLowerCase());

/**
 * Why a job is outside a worker token's scope, or null when the worker may write to it. `defaultHost` is the
 * default forge's host, so a run that stored a URL on it (before repositories were canonical) still matches.
 */
export function jobOutsideScope(
  scope: WorkerScope,
  job: JobMeta,
  defaultHost: string | null = null,
): string | null {
  if (!allows(scope.jobTypes, job.type)) return `job type ${job.type} is outside this worker's scope`;
  if (!scope.repositories.some((p) => repositoryMatches(p, job.repository, defaultHost)))
    return "the repository is outside this worker's scope";
  const missing = job.requiredCapabilities.filter((c) => !allows(scope.capabilities, c));
  if (missing.length) return `capabilities ${missing.join(', ')} are outside this worker's scope`;
  return null;
}

/** A registration may only claim what its token allows: job types, repository patterns, capabilities. */
export function registrationOutsideScope(
  scope: WorkerScope,
  reg: { jobTypes: string[]; repositories: string[]; capabilities: string[] },
): string | null {
  const badType = reg.jobTypes.find((t) => !allows(scope.jobTypes, t));
  if (badType) return `job type ${badType} is outside this worker's scope`;
  const badRepo = reg.repositories.find((p) => !patternCovered(scope.repositories, p));
  if (badRepo) return `repository pattern ${badRepo} is outside this worker's scope`;
  const badCap = reg.capabilities.find((c) => !allows(scope.capabilities, c));
  if (badCap) return `capability ${badCap} is outside this worker's scope`;
  return null;
}

/** Whether a token's repository patterns cover a pattern a worker registers (`*`, `owner/*` or a repository). */
function patternCovered(allowed: string[], pattern: string): boolean {
  return allowed.some((a) => {
    if (a.trim() === '*') return true;
    if (pattern.trim() === '*') return false;
    if (pattern.endsWith('/*'))
      return a.endsWith('/*') && repositoryKey(a.slice(0, -2)) === repositoryKey(pattern.slice(0, -2));
    return repositoryMatches(a, pattern);
  });
}
