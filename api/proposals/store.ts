import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type {
  Proposal,
  ProposalCreate,
  ProposalStatus,
  proposalDecisionRecordSchema,
} from '../../contracts/proposals.ts';
import type { Sql } from '../../db/client.ts';

/**
 * Proposals in PostgreSQL (`proposals`, `proposal_history`). Every change is one compare-and-set UPDATE on
 * (id, version, status = 'open') with its history row written by the same statement, so of two concurrent
 * changes exactly one lands and the other sees no row.
 */

export type HistoryAction = z.infer<typeof proposalDecisionRecordSchema>['action'];
export type HistoryRecord = z.infer<typeof proposalDecisionRecordSchema>;

export interface ProposalRow {
  id: string;
  status: ProposalStatus;
  title: string;
  summary: string;
  category: Proposal['category'];
  tags: string[];
  repository: string;
  proposed_by_worker_id: string | null;
  proposed_by_user_id: string | null;
  origin: Proposal['origin'];
  task_create_request: Record<string, unknown>;
  promoted_job_id: string | null;
  promoted_at: Date | null;
  promoted_by_user_id: string | null;
  decided_by_user_id: string | null;
  decision_note: string | null;
  priority: number;
  snoozed_until: Date | null;
  dedup_key: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
export const toProposal = (r: ProposalRow): Proposal => ({
  id: r.id,
  status: r.status,
  title: r.title,
  summary: r.summary,
  category: r.category,
  tags: r.tags,
  repository: r.repository,
  proposedByWorkerId: r.proposed_by_worker_id,
  proposedByUserId: r.proposed_by_user_id,
  origin: r.origin,
  taskCreateRequest: r.task_create_request,
  promotedJobId: r.promoted_job_id,
  promotedAt: iso(r.promoted_at),
  promotedByUserId: r.promoted_by_user_id,
  decidedByUserId: r.decided_by_user_id,
  decisionNote: r.decision_note,
  priority: r.priority,
  snoozedUntil: iso(r.snoozed_until),
  dedupKey: r.dedup_key,
  version: r.version,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

const json = (sql: Sql, v: unknown) => sql.json(v as Parameters<Sql['json']>[0]);

export interface NewProposal extends ProposalCreate {
  repository: string;
  dedupKey: string;
  proposedByWorkerId: string | null;
  proposedByUserId: string | null;
}

/**
 * Insert an open proposal, or find the open one with the same dedup key (the partial unique index decides,
 * so two concurrent duplicates still make one row).
 */
export async function insertProposal(
  sql: Sql,
  p: NewProposal,
  actor: string,
): Promise<{ row: ProposalRow; created: boolean }> {
  for (;;) {
    const [row] = await sql<ProposalRow[]>`
      WITH ins AS (
        INSERT INTO proposals (id, title, summary, category, tags, repository, proposed_by_worker_id,
          proposed_by_user_id, origin, task_create_request, priority, dedup_key)
        VALUES (${randomUUID()}, ${p.title}, ${p.summary}, ${p.category}, ${sql.array(p.tags)}::text[],
          ${p.repository}, ${p.proposedByWorkerId}, ${p.proposedByUserId}, ${json(sql, p.origin)},
          ${json(sql, p.taskCreateRequest)}, ${p.priority}, ${p.dedupKey})
        ON CONFLICT (dedup_key) WHERE status = 'open' DO NOTHING
        RETURNING *
      ), hist AS (
        INSERT INTO proposal_history (proposal_id, action, actor) SELECT id, 'create', ${actor} FROM ins
      )
      SELECT * FROM ins`;
    if (row) return { row, created: true };
    const existing = await sql<ProposalRow[]>`
      SELECT * FROM proposals WHERE dedup_key = ${p.dedupKey} AND status = 'open'`;
    // The open one was decided between the two statements: the key is free again, so insert.
    if (existing[0]) return { row: existing[0], created: false };
  }
}

export async function getProposal(sql: Sql, id: string): Promise<ProposalRow | null> {
  const [row] = await sql<ProposalRow[]>`SELECT * FROM proposals WHERE id = ${id}`;
  return row ?? null;
}

/** The columns a change sets (a fragment), besides version and updated_at. */
export type ChangeSet = ReturnType<Sql>;

/**
 * Apply a change to an open proposal at `version`, recording it in the history in the same statement.
 * Null when the row is not open at that version any more (someone else changed it first).
 */
export async function changeOpen(
  sql: Sql,
  id: string,
  version: number,
  set: ChangeSet,
  record: { action: HistoryAction; actor: string; note: string | null },
): Promise<ProposalRow | null> {
  const [row] = await sql<ProposalRow[]>`
    WITH upd AS (
      UPDATE proposals SET ${set}, version = version + 1, updated_at = now()
      WHERE id = ${id} AND version = ${version} AND status = 'open'
      RETURNING *
    ), hist AS (
      INSERT INTO proposal_history (proposal_id, action, actor, note)
      SELECT id, ${record.action}, ${record.actor}, ${record.note} FROM upd
    )
    SELECT * FROM upd`;
  return row ?? null;
}

export async function historyOf(sql: Sql, id: string): Promise<HistoryRecord[]> {
  const rows = await sql<{ action: HistoryAction; actor: string; note: string | null; at: Date }[]>`
    SELECT action, actor, note, at FROM proposal_history WHERE proposal_id = ${id} ORDER BY id`;
  return rows.map((r) => ({ action: r.action, actor: r.actor, note: r.note, at: r.at.toISOString() }));
}
