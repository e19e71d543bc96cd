import { z } from 'zod';
import { repositoryMatches } from './repository.ts';
import { type PublishMode, type Runtime, runtimes } from './task.ts';

/**
 * What the live workers serve, for the submit form (`GET /api/tasks/fleet`): the live pools, and each
 * runtime, publish mode and skill marked served or not with the reason. The marks are pure functions of
 * the pools, so the dashboard re-marks a combination (runtime + publish mode + skills) without asking again.
 */
export const fleetPoolSchema = z.object({
  pool: z.string(),
  capabilities: z.array(z.string()),
  jobTypes: z.array(z.string()),
  repositories: z.array(z.string()),
});
export type FleetPool = z.infer<typeof fleetPoolSchema>;

export const fleetOptionSchema = z.object({
  value: z.string(),
  /** Capabilities a run with this choice needs (besides what the other choices need). */
  needs: z.array(z.string()),
  served: z.boolean(),
  /** Why no live worker can take it (null when one can). */
  reason: z.string().nullable(),
});
export type FleetOption = z.infer<typeof fleetOptionSchema>;

export const fleetSchema = z.object({
  repository: z.string().nullable(),
  pools: z.array(fleetPoolSchema),
  runtimes: z.array(fleetOptionSchema),
  publishModes: z.array(fleetOptionSchema),
  skills: z.array(fleetOptionSchema),
});
export type Fleet = z.infer<typeof fleetSchema>;

/** The form's order of publish modes: a default falls back from `pr` to `branch` before `none`. */
const publishOrder: PublishMode[] = ['pr', 'branch', 'none'];

/** Mirrors `deriveCapabilities` (contracts/task.ts): a runtime needs itself and git; `pr` needs gh. */
export const runtimeNeeds = (runtime: string) => [runtime, 'git'];
export const publishNeeds = (mode: string) => (mode === 'pr' ? ['git', 'gh'] : ['git']);

/** What to do about a missing capability, where the form can say it. */
const remedies: Record<string, string> = { gh: 'add a forge token or choose branch' };

/** Pools that take task jobs on the repository (any repository when none is given yet). */
export function poolsFor(pools: FleetPool[], repository: string | null): FleetPool[] {
  return pools.filter(
    (p) =>
      p.jobTypes.map((t) => t.toLowerCase()).includes('task') &&
      (!repository || p.repositories.some((pattern) => repositoryMatches(pattern, repository))),
  );
}

/** Null when some pool has every capability of `needs`, else why not (what the closest pool lacks). */
export function unservedReason(
  pools: FleetPool[],
  needs: string[],
  repository: string | null,
): string | null {
  const wanted = [...new Set(needs.map((c) => c.trim().toLowerCase()))];
  if (pools.length === 0) return `no live worker takes task jobs${repository ? ` on ${repository}` : ''}`;
  const missing = pools
    .map((p) => wanted.filter((c) => !p.capabilities.map((x) => x.toLowerCase()).includes(c)))
    .sort((a, b) => a.length - b.length)[0];
  if (missing.length === 0) return null;
  const remedy = missing.map((c) => remedies[c]).find(Boolean);
  return `no worker serves ${missing.join('+')}${remedy ? `: ${remedy}` : ''}`;
}

const option = (pools: FleetPool[], value: string, needs: string[], repository: string | null) => {
  const reason = unservedReason(pools, needs, repository);
  return { value, needs, served: reason === null, reason };
};

/** Every choice the form offers, marked against the live pools serving the repository. */
export function fleetMarks(
  livePools: FleetPool[],
  repository: string | null,
  skills: { id: string; requiredCapabilities: string[] }[],
): Omit<Fleet, 'pools' | 'repository'> {
  const pools = poolsFor(livePools, repository);
  return {
    runtimes: runtimes.map((r) => option(pools, r, runtimeNeeds(r), repository)),
    publishModes: publishOrder.map((m) => option(pools, m, publishNeeds(m), repository)),
    skills: skills.map((s) => option(pools, s.id, s.requiredCapabilities, repository)),
  };
}

/** The first served choice in the form's order, keeping `current` when it is served (or nothing is). */
export function servedDefault<T extends Runtime | PublishMode>(options: FleetOption[], current: T): T {
  if (options.find((o) => o.value === current)?.served ?? true) return current;
  return (options.find((o) => o.served)?.value as T | undefined) ?? current;
}
