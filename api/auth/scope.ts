import { repositoryMatches } from '../../activities/control-plane/eligibility.ts';
import type { JobMeta } from '../jobs/meta.ts';
import type { WorkerScope } from './identity.ts';

const lower = (xs: string[]) => xs.map((x) => x.trim().toLowerCase());
const allows = (list: string[], value: string) =>
  list.includes('*') || lower(list).includes(value.toLowerCase());

/** Why a job is outside a worker token's scope, or null when the worker may write to it. */
export function jobOutsideScope(scope: WorkerScope, job: JobMeta): string | null {
  if (!allows(scope.jobTypes, job.type)) return `job type ${job.type} is outside this worker's scope`;
  if (!scope.repositories.some((p) => repositoryMatches(p, job.repository)))
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
  const covered = (pattern: string) =>
    scope.repositories.some(
      (s) =>
        s === '*' ||
        s.toLowerCase() === pattern.toLowerCase() ||
        (pattern !== '*' && !pattern.endsWith('/*') && repositoryMatches(s, pattern)) ||
        (pattern.endsWith('/*') &&
          s.endsWith('/*') &&
          pattern.toLowerCase().startsWith(s.slice(0, -1).toLowerCase())),
    );
  const badRepo = reg.repositories.find((p) => !covered(p));
  if (badRepo) return `repository pattern ${badRepo} is outside this worker's scope`;
  const badCap = reg.capabilities.find((c) => !allows(scope.capabilities, c));
  if (badCap) return `capability ${badCap} is outside this worker's scope`;
  return null;
}
