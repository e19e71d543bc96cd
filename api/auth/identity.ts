import { z } from 'zod';

export const roles = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof roles)[number];
const rank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
export const roleAtLeast = (role: Role, needed: Role) => rank[role] >= rank[needed];

/** What a worker token may serve (`*` in a list allows anything). */
export const workerScopeSchema = z.object({
  jobTypes: z.array(z.string().min(1)).min(1),
  repositories: z.array(z.string().min(1)).min(1),
  capabilities: z.array(z.string().min(1)).min(1),
  scopes: z.array(z.string().min(1)).default([]),
});
export type WorkerScope = z.infer<typeof workerScopeSchema>;

export interface UserIdentity {
  kind: 'user';
  id: string;
  name: string;
  role: Role;
  via: 'token' | 'session' | 'oidc';
  tokenId: string | null;
  /** Set for cookie sessions: non-GET requests must echo it in X-CSRF-Token. */
  csrfToken: string | null;
}
export interface WorkerIdentity {
  kind: 'worker';
  /** The worker token's id; null for an OIDC worker (whose `name` is its subject). */
  tokenId: string | null;
  name: string;
  scope: WorkerScope;
}
export type Identity = UserIdentity | WorkerIdentity;

/** The key rate limits and logs use for an identity (never the token itself). */
export const identityKey = (i: Identity) =>
  i.kind === 'user' ? `user:${i.id}` : `worker:${i.tokenId ?? i.name}`;
