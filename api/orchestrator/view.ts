import type { OrchestratorRunList, OrchestratorRunView } from '../../contracts/orchestrator.ts';
import {
  isOrchestratorTerminal,
  type OrchestratorRunState,
  type OrchestratorStatus,
  orchestratorWorkflowId,
} from '../../contracts/orchestrator-run.ts';
import { getRun, listRuns, type OrchestratorRunRow } from '../../db/orchestrator-runs.ts';
import { orchestratorStateQuery } from '../../workflows/orchestrator/messages.ts';
import { listArtifacts } from '../artifacts/ingest.ts';
import type { ApiDeps } from '../context.ts';
import { notFound, validationFailed } from '../errors.ts';

/** The `state` query with a short deadline: null when the run does not answer in time (or is gone). */
async function liveState(deps: Pick<ApiDeps, 'client'>, runId: string, timeoutMs = 2_000) {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    const query = deps.client.workflow.getHandle(orchestratorWorkflowId(runId)).query(orchestratorStateQuery);
    return await Promise.race([query, deadline]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

const viewOf = (
  row: OrchestratorRunRow,
  state: OrchestratorRunState,
  artifacts: OrchestratorRunView['artifacts'],
) => ({
  ...state,
  submittedBy: row.submittedBy,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
  artifacts,
});

/**
 * One run: its row, with the workflow's own state while it is live (the row follows it at every transition,
 * so a run that does not answer in time is shown as last reported), and its artifacts.
 */
export async function loadRunView(
  deps: Pick<ApiDeps, 'client' | 'sql'>,
  runId: string,
): Promise<OrchestratorRunView> {
  const row = await getRun(deps.sql, runId);
  if (!row) throw notFound('orchestrator run');
  const live = isOrchestratorTerminal(row.state.status) ? null : await liveState(deps, runId);
  const artifacts = (await listArtifacts(deps.sql, runId)).map(({ name, size, contentType, createdAt }) => ({
    name,
    size,
    contentType,
    createdAt,
  }));
  return viewOf(row, live ?? row.state, artifacts);
}

/** The cursor is the last row's (createdAt, id), opaque to clients. */
const encodeCursor = (row: OrchestratorRunRow) =>
  Buffer.from(`${row.createdAt}|${row.state.runId}`).toString('base64url');
function decodeCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!createdAt || Number.isNaN(Date.parse(createdAt)) || !/^[0-9a-f-]{36}$/.test(id ?? ''))
    throw validationFailed([{ path: 'cursor', message: 'is not a cursor this list returned' }]);
  return { createdAt, id };
}

/** A page of runs, newest first, as their rows report them (artifacts are on the detail). */
export async function listRunViews(
  deps: Pick<ApiDeps, 'sql'>,
  query: { status?: OrchestratorStatus; limit: number; cursor?: string },
): Promise<OrchestratorRunList> {
  const rows = await listRuns(deps.sql, {
    status: query.status,
    limit: query.limit + 1,
    after: query.cursor ? decodeCursor(query.cursor) : null,
  });
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((row) => viewOf(row, row.state, [])),
    nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]) : null,
  };
}
