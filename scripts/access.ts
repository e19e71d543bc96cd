import { createWorkerToken, ensureAdmin } from '../api/auth/bootstrap.ts';
import type { Sql } from '../db/client.ts';

/**
 * Sign-in on a fresh install and tokens for the embedded workers. The admin token is generated once (or
 * taken from MOONMIND_ADMIN_TOKEN) and only its hash is stored; embedded worker tokens are minted per start
 * and the previous ones revoked, so none outlives the process tree that holds it.
 */
export async function bootstrapAccess(
  sql: Sql,
  opts: { adminToken?: string; workers: number },
): Promise<{ adminTokenCreated: string | null; workerTokens: string[] }> {
  const admin = await ensureAdmin(sql, { token: opts.adminToken });
  await sql`UPDATE api_tokens SET revoked_at = now() WHERE kind = 'worker' AND name = 'embedded-worker' AND revoked_at IS NULL`;
  const workerTokens: string[] = [];
  for (let i = 0; i < opts.workers; i++) {
    workerTokens.push(
      await createWorkerToken(sql, {
        name: 'embedded-worker',
        jobTypes: ['task'],
        repositories: ['*'],
        capabilities: ['*'],
        scopes: [],
      }),
    );
  }
  return {
    adminTokenCreated: admin.created && !opts.adminToken ? (admin.token ?? null) : null,
    workerTokens,
  };
}
