import { randomUUID } from 'node:crypto';
import type { Sql } from '../../db/client.ts';
import { type WorkerScope, workerScopeSchema } from './identity.ts';
import { insertUserToken, insertWorkerToken, sha256 } from './tokens.ts';

/**
 * First sign-in on a fresh install (used by the launcher, the API process and the CLI). With a given token,
 * an admin holding that token exists afterwards; otherwise one random admin token is generated the first
 * time (no admin yet) and returned once.
 */
export async function ensureAdmin(
  sql: Sql,
  opts: { token?: string } = {},
): Promise<{ created: boolean; token?: string }> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(4242002)`;
    if (opts.token) {
      const [known] =
        await tx`SELECT 1 FROM api_tokens WHERE token_hash = ${sha256(opts.token)} AND revoked_at IS NULL`;
      if (known) return { created: false };
    } else {
      const [admin] = await tx`SELECT 1 FROM users WHERE role = 'admin' AND disabled_at IS NULL LIMIT 1`;
      if (admin) return { created: false };
    }
    const userId = await adminUser(tx as unknown as Sql);
    const { token } = await insertUserToken(tx as unknown as Sql, {
      userId,
      name: 'bootstrap',
      token: opts.token,
    });
    return { created: true, token };
  });
}

async function adminUser(sql: Sql): Promise<string> {
  const [existing] = await sql<{ id: string }[]>`SELECT id FROM users WHERE name = 'admin'`;
  if (existing) {
    await sql`UPDATE users SET role = 'admin', disabled_at = NULL WHERE id = ${existing.id}`;
    return existing.id;
  }
  const id = randomUUID();
  await sql`INSERT INTO users (id, name, role) VALUES (${id}, 'admin', 'admin')`;
  return id;
}

/** Mint a worker token for a scope; returns the token (shown once, stored hashed). */
export async function createWorkerToken(
  sql: Sql,
  scope: { name: string } & {
    jobTypes: string[];
    repositories: string[];
    capabilities: string[];
    scopes?: string[];
  },
): Promise<string> {
  const parsed: WorkerScope = workerScopeSchema.parse(scope);
  const { token } = await insertWorkerToken(sql, { name: scope.name, scope: parsed });
  return token;
}
