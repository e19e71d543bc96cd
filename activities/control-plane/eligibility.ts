/**
 * The claim rule (shared/spec/01-task-contract.md, "Eligibility"): a pool may run a job when its policy
 * allows the job type and the repository and its capabilities cover the required ones. Pure functions.
 */
import { repositoryMatches } from '../../contracts/repository.ts';

export interface PoolRow {
  taskQueue: string;
  pool: string;
  capabilities: string[];
  jobTypes: string[];
  repositories: string[];
}

const lower = (xs: string[]) => xs.map((x) => x.trim().toLowerCase());

function missingCapabilities(pool: PoolRow, required: string[]): string[] {
  const have = new Set(lower(pool.capabilities));
  return lower(required).filter((c) => !have.has(c));
}

export interface Eligibility<P extends PoolRow> {
  eligible: P[];
  /** When none is eligible: why, naming the missing capabilities or the repository. */
  reason: string | null;
}

export function eligiblePools<P extends PoolRow>(
  pools: P[],
  job: { jobType: string; repository: string; requiredCapabilities: string[] },
): Eligibility<P> {
  const needs = lower(job.requiredCapabilities).join('+') || 'no capabilities';
  const forRepo = pools.filter(
    (p) =>
      lower(p.jobTypes).includes(job.jobType.toLowerCase()) &&
      p.repositories.some((pattern) => repositoryMatches(pattern, job.repository)),
  );
  if (forRepo.length === 0) {
    return {
      eligible: [],
      reason: `no worker pool is registered for ${job.jobType} jobs on ${job.repository} (needs ${needs})`,
    };
  }
  const eligible = forRepo.filter((p) => missingCapabilities(p, job.requiredCapabilities).length === 0);
  if (eligible.length > 0) return { eligible, reason: null };
  // Name what the closest pool lacks: that is what an operator has to add.
  const closest = forRepo
    .map((p) => missingCapabilities(p, job.requiredCapabilities))
    .sort((a, b) => a.length - b.length)[0];
  return { eligible: [], reason: `no worker serves ${closest.join('+')} for ${job.repository}` };
}
