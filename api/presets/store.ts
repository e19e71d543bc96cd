import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type {
  Template,
  TemplateBody,
  TemplateScope,
  templateListQuerySchema,
  templateRefQuerySchema,
} from '../../contracts/presets.ts';
import type { Sql } from '../../db/client.ts';
import type { Role } from '../auth/identity.ts';

/**
 * The step-template catalog in PostgreSQL (`step_templates`, favorites, recents). A template is named by
 * (scope, owner key, slug): the owner key is '' for global, the team for team, the user id for personal.
 */

/** Who is asking: what they can see follows from their id and teams. */
export interface Viewer {
  id: string;
  role: Role;
  teams: string[];
}
export interface TemplateKey {
  scope: TemplateScope;
  ownerKey: string;
  slug: string;
}

export async function viewerOf(sql: Sql, user: { id: string; role: Role }): Promise<Viewer> {
  const rows = await sql<
    { team: string }[]
  >`SELECT team FROM team_members WHERE user_id = ${user.id} ORDER BY team`;
  return { id: user.id, role: user.role, teams: rows.map((r) => r.team) };
}

export const ownerKeyOf = (body: Pick<TemplateBody, 'scope' | 'team'>, userId: string) =>
  body.scope === 'global' ? '' : body.scope === 'team' ? (body.team ?? '') : userId;

const visible = (sql: Sql, v: Viewer) => sql`(
  scope = 'global'
  OR (scope = 'team' AND owner_key = ANY(${sql.array(v.teams)}::text[]))
  OR (scope = 'personal' AND owner_key = ${v.id}))`;

interface Row {
  scope: TemplateScope;
  owner_key: string;
  slug: string;
  version: string;
  team: string | null;
  owner_id: string | null;
  title: string;
  description: string;
  inputs: Template['inputs'];
  steps: Template['steps'];
  tags: string[];
  required_capabilities: string[];
  is_active: boolean;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
  favorite: boolean;
  last_used_at: Date | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const toTemplate = (r: Row): Template => ({
  slug: r.slug,
  version: r.version,
  scope: r.scope,
  team: r.team,
  title: r.title,
  description: r.description,
  inputs: r.inputs,
  steps: r.steps,
  tags: r.tags,
  requiredCapabilities: r.required_capabilities,
  isActive: r.is_active,
  owner: r.owner_id,
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
  deletedAt: iso(r.deleted_at),
  favorite: r.favorite,
  lastUsedAt: iso(r.last_used_at),
});

/** The caller's favorite flag and last use, joined onto template rows named `t`. */
const personalJoins = (sql: Sql, v: Viewer) => sql`
  LEFT JOIN step_template_favorites f
    ON f.user_id = ${v.id} AND f.scope = t.scope AND f.owner_key = t.owner_key AND f.slug = t.slug
  LEFT JOIN step_template_recents r
    ON r.user_id = ${v.id} AND r.scope = t.scope AND r.owner_key = t.owner_key AND r.slug = t.slug`;

export type ListQuery = z.infer<typeof templateListQuerySchema>;

/** The latest live version of each template the viewer can see, favorites first, then by title. */
export async function listTemplates(
  sql: Sql,
  v: Viewer,
  q: ListQuery,
): Promise<{ items: Template[]; total: number }> {
  const filters = [sql`true`];
  if (q.tag) filters.push(sql`${q.tag} = ANY(t.tags)`);
  if (q.q) {
    const like = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    filters.push(sql`(t.title ILIKE ${like} OR t.slug ILIKE ${like} OR t.description ILIKE ${like})`);
  }
  if (q.favorites === 'true') filters.push(sql`f.user_id IS NOT NULL`);
  const where = filters.reduce((a, c) => sql`${a} AND ${c}`);
  // The page is chosen on narrow columns; only its rows' steps and inputs are read (detoasted) after.
  const rows = await sql<(Row & { total: number })[]>`
    WITH t AS (
      SELECT DISTINCT ON (scope, owner_key, slug) id, scope, owner_key, slug, title, description, tags
      FROM step_templates
      WHERE deleted_at IS NULL AND ${visible(sql, v)} ${q.scope ? sql`AND scope = ${q.scope}` : sql``}
      ORDER BY scope, owner_key, slug, major DESC, minor DESC, patch DESC
    ), page AS (
      SELECT t.id, f.user_id IS NOT NULL AS favorite, r.used_at, t.title, count(*) OVER ()::int AS total
      FROM t ${personalJoins(sql, v)}
      WHERE ${where}
      ORDER BY favorite DESC, t.title, t.scope, t.owner_key, t.slug
      LIMIT ${q.limit}
    )
    SELECT s.*, page.favorite, page.used_at AS last_used_at, page.total
    FROM page JOIN step_templates s ON s.id = page.id
    ORDER BY page.favorite DESC, s.title, s.scope, s.owner_key, s.slug`;
  return { items: rows.map(toTemplate), total: rows[0]?.total ?? 0 };
}

const scopeRank = { personal: 0, team: 1, global: 2 } as const;

/**
 * The template a slug names for this viewer: the most specific live one it can see (personal, then team,
 * then global) unless the query picks a scope or team. Null when there is none.
 */
export async function resolveTemplate(
  sql: Sql,
  v: Viewer,
  slug: string,
  ref: z.infer<typeof templateRefQuerySchema>,
): Promise<TemplateKey | null> {
  const rows = await sql<{ scope: TemplateScope; owner_key: string }[]>`
    SELECT DISTINCT scope, owner_key FROM step_templates
    WHERE slug = ${slug} AND deleted_at IS NULL AND ${visible(sql, v)}
      ${ref.scope ? sql`AND scope = ${ref.scope}` : sql``}
      ${ref.team ? sql`AND scope = 'team' AND owner_key = ${ref.team}` : sql``}`;
  const [best] = rows.sort(
    (a, b) => scopeRank[a.scope] - scopeRank[b.scope] || a.owner_key.localeCompare(b.owner_key),
  );
  return best ? { scope: best.scope, ownerKey: best.owner_key, slug } : null;
}

/** One version (the latest when none is named) of a live template, with every version released. */
export async function loadTemplate(
  sql: Sql,
  v: Viewer,
  key: TemplateKey,
  version?: string,
): Promise<{ template: Template; versions: string[] } | null> {
  const rows = await sql<Row[]>`
    SELECT t.*, f.user_id IS NOT NULL AS favorite, r.used_at AS last_used_at
    FROM step_templates t ${personalJoins(sql, v)}
    WHERE t.scope = ${key.scope} AND t.owner_key = ${key.ownerKey} AND t.slug = ${key.slug} AND t.deleted_at IS NULL
    ORDER BY t.major DESC, t.minor DESC, t.patch DESC`;
  const row = version ? rows.find((r) => r.version === version) : rows[0];
  return row ? { template: toTemplate(row), versions: rows.map((r) => r.version) } : null;
}

/**
 * Insert a released version; false when that slug and version already exist in its scope (immutable), or
 * when it is not above the template's latest live version (a change is a newer version).
 */
export async function insertTemplate(
  sql: Sql,
  body: TemplateBody,
  owner: { ownerKey: string; ownerId: string | null; createdBy: string | null },
): Promise<boolean> {
  const [major, minor, patch] = body.version.split('.').map(Number);
  const json = (v: unknown) => sql.json(v as Parameters<Sql['json']>[0]);
  const rows = await sql`
    INSERT INTO step_templates (id, scope, owner_key, slug, version, major, minor, patch, team, owner_id, title,
      description, inputs, steps, tags, required_capabilities, is_active, created_by)
    SELECT ${randomUUID()}, ${body.scope}, ${owner.ownerKey}, ${body.slug}, ${body.version}, ${major}, ${minor},
      ${patch}, ${body.scope === 'team' ? body.team : null}, ${owner.ownerId}, ${body.title}, ${body.description},
      ${json(body.inputs)}, ${json(body.steps)}, ${sql.array(body.tags)}::text[],
      ${sql.array(body.requiredCapabilities)}::text[], ${body.isActive}, ${owner.createdBy}
    WHERE NOT EXISTS (
      SELECT 1 FROM step_templates
      WHERE scope = ${body.scope} AND owner_key = ${owner.ownerKey} AND slug = ${body.slug} AND deleted_at IS NULL
        AND (major, minor, patch) >= (${major}, ${minor}, ${patch}))
    ON CONFLICT (scope, owner_key, slug, version) DO NOTHING RETURNING id`;
  return rows.length === 1;
}

/** Soft delete: every version goes from the catalog; rows stay for the jobs that applied them. */
export async function deleteTemplate(sql: Sql, key: TemplateKey): Promise<void> {
  await sql`
    UPDATE step_templates SET deleted_at = now(), updated_at = now()
    WHERE scope = ${key.scope} AND owner_key = ${key.ownerKey} AND slug = ${key.slug} AND deleted_at IS NULL`;
}

export async function setFavorite(sql: Sql, v: Viewer, key: TemplateKey, on: boolean): Promise<void> {
  if (on)
    await sql`
      INSERT INTO step_template_favorites (user_id, scope, owner_key, slug)
      VALUES (${v.id}, ${key.scope}, ${key.ownerKey}, ${key.slug}) ON CONFLICT DO NOTHING`;
  else
    await sql`
      DELETE FROM step_template_favorites
      WHERE user_id = ${v.id} AND scope = ${key.scope} AND owner_key = ${key.ownerKey} AND slug = ${key.slug}`;
}

export async function recordUse(sql: Sql, v: Viewer, key: TemplateKey): Promise<void> {
  await sql`
    INSERT INTO step_template_recents (user_id, scope, owner_key, slug)
    VALUES (${v.id}, ${key.scope}, ${key.ownerKey}, ${key.slug})
    ON CONFLICT (user_id, scope, owner_key, slug) DO UPDATE SET used_at = now()`;
}

/** A released version seen by anyone who can see it (the submission check). */
export async function findVersion(
  sql: Sql,
  v: Viewer,
  slug: string,
  version: string,
): Promise<TemplateBody[]> {
  const rows = await sql<Row[]>`
    SELECT t.*, false AS favorite, null AS last_used_at FROM step_templates t
    WHERE t.slug = ${slug} AND t.version = ${version} AND ${visible(sql, v)}`;
  return rows.map(toTemplate);
}
