import type { Sql } from '../db/client.ts';
import type { Identity } from './auth/identity.ts';

/** One row per control action and administrative change, with the acting identity. */
export async function audit(
  sql: Sql,
  actor: Identity,
  action: string,
  target: string | null,
  detail: Record<string, unknown> = {},
): Promise<void> {
  const [kind, id] = actor.kind === 'user' ? ['user', actor.id] : ['worker', actor.tokenId ?? actor.name];
  await sql`
    INSERT INTO audit_log (actor_kind, actor_id, action, target, detail)
    VALUES (${kind}, ${id}, ${action}, ${target}, ${sql.json(detail as Parameters<Sql['json']>[0])})`;
}
