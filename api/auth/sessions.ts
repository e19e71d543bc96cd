import { randomBytes } from 'node:crypto';
import type { Sql } from '../../db/client.ts';
import type { Role, UserIdentity } from './identity.ts';
import { sha256 } from './tokens.ts';

export const SESSION_COOKIE = 'mm_session';

/** Browser sessions: the cookie holds a random id, the table only its hash, plus a per-session CSRF token. */
export async function createSession(
  sql: Sql,
  userId: string,
  ttlHours: number,
): Promise<{ sessionId: string; csrfToken: string; expiresAt: Date }> {
  const sessionId = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlHours * 3_600_000);
  await sql`
    INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at)
    VALUES (${sha256(sessionId)}, ${userId}, ${csrfToken}, ${expiresAt})`;
  return { sessionId, csrfToken, expiresAt };
}

export async function identityForSession(sql: Sql, sessionId: string): Promise<UserIdentity | null> {
  const [row] = await sql<{ id: string; name: string; role: Role; csrfToken: string }[]>`
    SELECT u.id, u.name, u.role, s.csrf_token AS "csrfToken"
    FROM sessions s JOIN users u ON u.id = s.user_id
    WHERE s.id_hash = ${sha256(sessionId)} AND s.expires_at > now() AND u.disabled_at IS NULL`;
  if (!row) return null;
  return {
    kind: 'user',
    id: row.id,
    name: row.name,
    role: row.role,
    via: 'session',
    tokenId: null,
    csrfToken: row.csrfToken,
  };
}

export async function deleteSession(sql: Sql, sessionId: string): Promise<void> {
  await sql`DELETE FROM sessions WHERE id_hash = ${sha256(sessionId)} OR expires_at < now()`;
}
