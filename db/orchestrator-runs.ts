import type { OrchestratorRunInput } from '../contracts/orchestrator.ts';
import type { OrchestratorRunState, OrchestratorStatus } from '../contracts/orchestrator-run.ts';
import type { Sql } from './client.ts';

/** An `orchestrator_runs` row (migration 009) as the API reads it. */
export interface OrchestratorRunRow {
  state: OrchestratorRunState;
  submittedBy: string;
  createdAt: string;
  updatedAt: string;
}

interface RawRow {
  state: OrchestratorRunState;
  submitted_by: string;
  created_at: Date;
  updated_at: Date;
}
/** Runs recorded before publishing existed read as never published. */
const unpublished = { publishMode: 'none', branch: null, prUrl: null, publishError: null } as const;

const fromRaw = (r: RawRow): OrchestratorRunRow => ({
  state: { ...unpublished, ...r.state },
  submittedBy: r.submitted_by,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

/** The state a run starts with, before its workflow reports (also the workflow's initial state). */
export function initialState(input: OrchestratorRunInput): OrchestratorRunState {
  return {
    runId: input.runId,
    status: 'pending',
    targetService: input.targetService,
    instruction: input.instruction,
    priority: input.priority,
    plan: input.retry ? { ...input.retry.plan, approval: input.approval } : null,
    steps: [],
    rollbackReason: null,
    error: null,
    host: null,
    waitingReason: null,
    cancelRequestedAt: null,
    startedAt: null,
    finishedAt: null,
    retryOf: input.retry?.of ?? null,
    publishMode: input.publish?.mode ?? 'none',
    branch: null,
    prUrl: null,
    publishError: null,
  };
}

export async function insertRun(sql: Sql, input: OrchestratorRunInput): Promise<void> {
  const state = initialState(input);
  await sql`
    INSERT INTO orchestrator_runs
      (id, instruction, target_service, priority, status, submitted_by, retry_of, state, created_at)
    VALUES (${input.runId}, ${input.instruction}, ${input.targetService}, ${input.priority}, ${state.status},
      ${input.submittedBy.name}, ${input.retry?.of ?? null}, ${sql.json(state as never)}, ${input.submittedAt})`;
}

/** The workflow's report: the row follows the run's state (a late, older report never overwrites a final one). */
export async function recordState(sql: Sql, state: OrchestratorRunState): Promise<void> {
  await sql`
    UPDATE orchestrator_runs SET status = ${state.status}, state = ${sql.json(state as never)}, updated_at = now()
    WHERE id = ${state.runId} AND status NOT IN ('succeeded', 'failed', 'rolled_back')`;
}

export async function getRun(sql: Sql, runId: string): Promise<OrchestratorRunRow | null> {
  const [row] = await sql<RawRow[]>`
    SELECT state, submitted_by, created_at, updated_at FROM orchestrator_runs WHERE id = ${runId}`;
  return row ? fromRaw(row) : null;
}

/** Newest first; `after` is the last row of the previous page. */
export async function listRuns(
  sql: Sql,
  opts: { status?: OrchestratorStatus; limit: number; after: { createdAt: string; id: string } | null },
): Promise<OrchestratorRunRow[]> {
  const rows = await sql<RawRow[]>`
    SELECT state, submitted_by, created_at, updated_at FROM orchestrator_runs
    WHERE true
      ${opts.status ? sql`AND status = ${opts.status}` : sql``}
      ${opts.after ? sql`AND (created_at, id) < (${opts.after.createdAt}::timestamptz, ${opts.after.id}::uuid)` : sql``}
    ORDER BY created_at DESC, id DESC
    LIMIT ${opts.limit}`;
  return rows.map(fromRaw);
}

export async function countByStatus(sql: Sql): Promise<Record<string, number>> {
  const rows = await sql<{ status: string; n: number }[]>`
    SELECT status, count(*)::int AS n FROM orchestrator_runs GROUP BY status`;
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
