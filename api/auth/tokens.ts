import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Sql } from '../../db/client.ts';
import type { Role, UserIdentity, WorkerIdentity, WorkerScope } from './identity.ts';

/**
 * Bearer API tokens: random, prefixed by kind (`mm_u_` user, `mm_w_` worker) so leaked ones are recognizable
 * (and redacted by contracts/secrets.ts), stored only as a SHA-256 hash.
 */
export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
export const newToken = (kind: 'user' | 'worker') =>
  `mm_${kind === 'user' ? 'u' : 'w'}_${randomBytes(32).toString('base64url')}`;
const prefixOf = (token: string) => token.slice(0, 9);

export async function insertUserToken(
  sql: Sql,
  opts: { userId: string; name: string; createdBy?: string | null; token?: string },
): Promise<{ id: string; token: string }> {
  const token = opts.token ?? newToken('user');
  const id = randomUUID();
  await sql`
    INSERT INTO api_tokens (id, kind, user_id, name, token_hash, token_prefix, created_by)
    VALUES (${id}, 'user', ${opts.userId}, ${opts.name}, ${sha256(token)}, ${prefixOf(token)}, ${opts.createdBy ?? null})`;
  return { id, token };
}

export async function insertWorkerToken(
  sql: Sql,
  opts: { name: string; scope: WorkerScope; createdBy?: string | null },
): Promise<{ id: string; token: string }> {
  const token = newToken('worker');
  const id = randomUUID();
  await sql`
    INSERT INTO api_tokens (id, kind, name, token_hash, token_prefix, scope, created_by)
    VALUES (${id}, 'worker', ${opts.name}, ${sha256(token)}, ${prefixOf(token)},
            ${sql.json(opts.scope as unknown as Parameters<Sql['json']>[0])}, ${opts.createdBy ?? null})`;
  return { id, token };
}

interface TokenRow {
  id: string;
  kind: 'user' | 'worker';
  name: string;
  scope: WorkerScope;
  userId: string | null;
  userName: string | null;
  role: Role | null;
}

/** The identity a bearer token stands for, or null when unknown, revoked or its user disabled. */
export async function identityForToken(
  sql: Sql,
  token: string,
): Promise<UserIdentity | WorkerIdentity | null> {
  const [row] = await sql<TokenRow[]>`
    SELECT t.id, t.kind, t.name, t.scope, u.id AS "userId", u.name AS "userName", u.role
    FROM api_tokens t LEFT JOIN users u ON u.id = t.user_id
    WHERE t.token_hash = ${sha256(token)} AND t.revoked_at IS NULL
      AND (t.kind = 'worker' OR u.disabled_at IS NULL)`;
  if (!row) return null;
  touch(sql, row.id);
  if (row.kind === 'worker') return { kind: 'worker', tokenId: row.id, name: row.name, scope: row.scope };
  return {
    kind: 'user',
    id: row.userId!,
    name: row.userName!,
    role: row.role!,
    via: 'token',
    tokenId: row.id,
    csrfToken: null,
  };
}

// last_used_at is written at most once a minute per token, so a busy client costs no extra writes.
const touchedAt = new Map<string, number>();
function touch(sql: Sql, tokenId: string) {
  const now = Date.now();
  if (now - (touchedAt.get(tokenId) ?? 0) < 60_000) return;
  touchedAt.set(tokenId, now);
  if (touchedAt.size > 10_000) touchedAt.clear();
  sql`UPDATE api_tokens SET last_used_at = now() WHERE id = ${tokenId}`.catch(() =>
    touchedAt.delete(tokenId),
  );
}
