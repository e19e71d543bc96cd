import type { Proposal } from '../../contracts/proposals.ts';
import type { Sql } from '../../db/client.ts';

/** How much two titles share (Jaccard over their words) for a proposal to count as similar. */
const SIMILAR_AT = 0.5;
const MAX_SIMILAR = 5;
/** The newest proposals of the repository compared (pg_trgm is not available; word overlap is enough). */
const CANDIDATES = 500;

/** The words of a title (lowercased, punctuation dropped; one- and two-letter words carry no signal). */
export const titleWords = (title: string) =>
  new Set(
    title
      .toLowerCase()
      .normalize('NFKC')
      .split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w.length > 2),
  );

export function titleSimilarity(a: Set<string>, b: Set<string>): number {
  if (!a.size || !b.size) return 0;
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return shared / (a.size + b.size - shared);
}

type Similar = Pick<Proposal, 'id' | 'title' | 'status' | 'repository'>;

/** Proposals of the same repository with the same dedup key or a title sharing most of its words. */
export async function similarProposals(
  sql: Sql,
  p: Pick<Proposal, 'id' | 'title' | 'repository' | 'dedupKey'>,
): Promise<Similar[]> {
  const rows = await sql<(Similar & { dedupKey: string })[]>`
    SELECT id, title, status, repository, dedup_key AS "dedupKey" FROM proposals
    WHERE repository = ${p.repository} AND id <> ${p.id}
    ORDER BY created_at DESC LIMIT ${CANDIDATES}`;
  const words = titleWords(p.title);
  return rows
    .map((r) => ({ r, score: r.dedupKey === p.dedupKey ? 2 : titleSimilarity(words, titleWords(r.title)) }))
    .filter((x) => x.score >= SIMILAR_AT)
    .sort((a, b) => b.score - a.score)
    .slice(0, MAX_SIMILAR)
    .map(({ r: { dedupKey: _, ...r } }) => r);
}
