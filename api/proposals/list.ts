import type { z } from 'zod';
import {
  type Proposal,
  type ProposalStatus,
  type proposalListQuerySchema,
  proposalStatuses,
} from '../../contracts/proposals.ts';
import type { Sql } from '../../db/client.ts';
import { HttpError } from '../errors.ts';
import { type ProposalRow, toProposal } from './store.ts';

export type ProposalListQuery = z.infer<typeof proposalListQuerySchema>;

/** Where a page ends, in the inbox order (priority high first, then newest, then id). */
interface Position {
  p: number;
  c: string;
  i: string;
}

const badCursor = () =>
  new HttpError('validation_failed', 'bad cursor', [
    { path: 'cursor', message: 'is not a cursor from this list' },
  ]);

// created_at travels as PostgreSQL's text (microseconds): a Date's milliseconds would skip rows.
const encodeCursor = (r: ProposalRow & { cursor_at: string }) =>
  Buffer.from(JSON.stringify({ p: r.priority, c: r.cursor_at, i: r.id })).toString('base64url');

function decodeCursor(cursor: string): Position {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Position;
    const ok =
      Number.isInteger(v.p) &&
      typeof v.c === 'string' &&
      !Number.isNaN(Date.parse(v.c)) &&
      typeof v.i === 'string' &&
      /^[0-9a-f-]{36}$/i.test(v.i);
    if (ok) return v;
  } catch {
    // fall through: not ours
  }
  throw badCursor();
}

const escapeLike = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * One page of proposals in inbox order, and how many match each status under the other filters (the
 * inbox's tabs). Snoozed proposals are left out unless asked for.
 */
export async function listProposals(
  sql: Sql,
  q: ProposalListQuery,
): Promise<{ items: Proposal[]; nextCursor: string | null; counts: Record<ProposalStatus, number> }> {
  const filters = [sql`true`];
  if (q.category) filters.push(sql`category = ${q.category}`);
  if (q.repository) filters.push(sql`lower(repository) = ${q.repository.toLowerCase()}`);
  if (q.originSource) filters.push(sql`origin ->> 'source' = ${q.originSource}`);
  if (q.tag) filters.push(sql`tags @> ARRAY[${q.tag.toLowerCase()}]::text[]`);
  if (q.q) filters.push(sql`(title ILIKE ${escapeLike(q.q)} OR summary ILIKE ${escapeLike(q.q)})`);
  if (q.includeSnoozed !== 'true') filters.push(sql`(snoozed_until IS NULL OR snoozed_until <= now())`);
  const where = filters.reduce((a, c) => sql`${a} AND ${c}`);
  const status = q.status ? sql`AND status = ${q.status}` : sql``;
  const after = q.cursor ? decodeCursor(q.cursor) : null;
  const page = after
    ? // `::text` first: a parameter typed timestamptz is serialized by the client through a JS Date, which
      // drops the microseconds and skipped rows created in the cursor row's millisecond.
      sql`AND (priority, created_at, id) < (${after.p}, ${after.c}::text::timestamptz, ${after.i}::uuid)`
    : sql``;
  // Rows are compared as (priority, created_at, id) descending: the index order, so a page is a range scan.
  const [rows, counts] = await Promise.all([
    sql<(ProposalRow & { cursor_at: string })[]>`
      SELECT *, created_at::text AS cursor_at FROM proposals WHERE ${where} ${status} ${page}
      ORDER BY priority DESC, created_at DESC, id DESC
      LIMIT ${q.limit + 1}`,
    sql<{ status: ProposalStatus; n: number }[]>`
      SELECT status, count(*)::int AS n FROM proposals WHERE ${where} GROUP BY status`,
  ]);
  const more = rows.length > q.limit;
  const items = rows.slice(0, q.limit);
  return {
    items: items.map(({ cursor_at: _, ...r }) => toProposal(r)),
    nextCursor: more ? encodeCursor(items[items.length - 1]) : null,
    counts: Object.fromEntries(
      proposalStatuses.map((s) => [s, counts.find((c) => c.status === s)?.n ?? 0]),
    ) as Record<ProposalStatus, number>,
  };
}
