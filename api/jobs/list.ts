import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { type JobView, jobWorkflowQuery } from '../../contracts/job.ts';
import { searchAttributes as sa } from '../../contracts/search-attributes.ts';
import { FAILED_OR_DEAD_LETTER, type JobStatus, jobStatuses, statusFilters } from '../../contracts/status.ts';
import { jobTypes, publishModes, runtimes } from '../../contracts/task.ts';
import type { Sql } from '../../db/client.ts';
import { scanJobs } from '../../db/job-index.ts';
import { HttpError } from '../errors.ts';
import { syncJobIndex } from './job-index-sync.ts';
import { summaryFromRaw } from './temporal.ts';
import { jobView } from './views.ts';

// Matched in PostgreSQL, whose text cannot hold NUL.
const searchText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((t) => !t.includes('\0'), 'must not contain NUL')
    .optional();

export const listQuerySchema = z.object({
  status: z.enum(statusFilters).optional(),
  type: z.enum(jobTypes).optional(),
  runtime: z.enum(runtimes).optional(),
  skill: z.string().trim().min(1).max(128).optional(),
  /** A part of the repository (case-insensitive). */
  repository: searchText(300),
  /** A part of the title or the repository (case-insensitive). */
  q: searchText(200),
  /** `active-first`: open runs (queued, running, awaiting action) before the others, each newest first. */
  order: z.enum(['newest', 'active-first']).default('newest'),
  publishMode: z.enum(publishModes).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .max(4096)
    .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}$/, 'is not a cursor from this API')
    .optional(),
});
export type ListQuery = z.infer<typeof listQuerySchema>;

const quote = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * The visibility query for a list: only job executions (`taskRun`, `manifestRun`), filtered on the search attributes (the
 * repository and the search text are matched in the job index instead). A run that
 * Temporal itself ended (terminated, timed out) may still carry a non-terminal MoonMindStatus, so the
 * terminal filters also match on the execution status and open statuses require a running execution.
 */
export function visibilityQuery(q: Omit<ListQuery, 'limit' | 'cursor' | 'order'>): string {
  // A run that continued as new is listed once: by its open (or last) execution.
  const where = [jobWorkflowQuery, `ExecutionStatus != 'ContinuedAsNew'`];
  if (q.status === 'cancelled') {
    where.push(`(${sa.status.name} = 'cancelled' OR ExecutionStatus IN ('Canceled', 'Terminated'))`);
  } else if (q.status === 'failed') {
    // Dead-lettered runs end Failed in Temporal too: their own status tells them apart.
    where.push(
      `(${sa.status.name} = 'failed' OR (ExecutionStatus IN ('Failed', 'TimedOut') AND ${sa.status.name} != 'dead_letter'))`,
    );
  } else if (q.status === FAILED_OR_DEAD_LETTER) {
    where.push(
      `(${sa.status.name} IN ('failed', 'dead_letter') OR ExecutionStatus IN ('Failed', 'TimedOut'))`,
    );
  } else if (q.status === 'succeeded' || q.status === 'dead_letter') {
    where.push(`${sa.status.name} = ${quote(q.status)}`);
  } else if (q.status) {
    where.push(`${sa.status.name} = ${quote(q.status)}`, `ExecutionStatus = 'Running'`);
  }
  const eq: [string, string | undefined][] = [
    [sa.jobType.name, q.type],
    [sa.runtime.name, q.runtime],
    [sa.skill.name, q.skill],
    [sa.publishMode.name, q.publishMode],
  ];
  for (const [name, value] of eq) if (value !== undefined) where.push(`${name} = ${quote(value)}`);
  return where.join(' AND ');
}

/**
 * A cursor is where the scan of the job index stopped, plus a check over it and the list's filters: garbage
 * (or a cursor of other filters) is a 400 at once.
 */
const positionSchema = z.union([
  z.object({
    phase: z.number().int().min(0).max(1),
    createdAt: z.iso.datetime(),
    jobId: z.string().regex(/^[0-9a-f-]{36}$/),
  }),
  // In a phase Temporal orders itself: its page token.
  z.object({ phase: z.number().int().min(0).max(1), token: z.string().max(4096) }),
]);
type Position = z.infer<typeof positionSchema>;
const cursorCheck = (token: string, filters: string) =>
  createHash('sha256')
    .update(token)
    .update('\0')
    .update(filters)
    .digest()
    .subarray(0, 12)
    .toString('base64url');
const encodeCursor = (pos: Position, filters: string) => {
  const token = Buffer.from(JSON.stringify(pos)).toString('base64url');
  return `${token}.${cursorCheck(token, filters)}`;
};
function decodeCursor(cursor: string, filters: string): Position | null {
  const [token, check] = cursor.split('.');
  if (check !== cursorCheck(token, filters)) return null;
  try {
    const parsed = positionSchema.safeParse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Index rows read per visibility call, and at most per page (a rare filter then pages on with a cursor). */
const SCAN_BATCH = 100;
const SCAN_CAP = 2_000;

/** A position before every row: where a phase starts. */
const PHASE_START = { createdAt: '9999-12-31T23:59:59.999Z', jobId: 'ffffffff-ffff-ffff-ffff-ffffffffffff' };

type Ui = { uiBase: string; namespace: string };
type Deps = { client: Client; sql: Sql };

/** The job views of `ids` that match the visibility filters (one call), by job id. */
async function viewsOf(client: Client, query: string, ids: string[], ui: Ui): Promise<Map<string, JobView>> {
  const found = new Map<string, JobView>();
  const inIds = ids.map((id) => quote(`job-${id}`)).join(', ');
  let nextPageToken: Uint8Array | undefined;
  do {
    const res = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      pageSize: ids.length,
      nextPageToken,
      query: `${query} AND WorkflowId IN (${inIds})`,
    });
    for (const s of (res.executions ?? []).map(summaryFromRaw)) {
      if (!s) continue;
      const jobId = s.workflowId.replace(/^job-/, '');
      found.set(jobId, jobView(s, { ...ui, jobId }));
    }
    nextPageToken = res.nextPageToken?.length ? res.nextPageToken : undefined;
  } while (nextPageToken);
  return found;
}

const openStatuses: readonly string[] = ['queued', 'running', 'awaiting_action'];

interface Phase {
  where: string;
  /**
   * Temporal's own order is newest first here: open runs only (its SQL visibility orders them by start
   * time) and no text to match, so a page is one visibility call instead of a scan of the index.
   */
  native: boolean;
}

/** The parts a list is read in: everything, or with `active-first` the open runs and then the others. */
function phasesOf(q: ListQuery): Phase[] {
  const text = Boolean(q.q || q.repository);
  const open = q.status !== undefined && openStatuses.includes(q.status);
  if (q.order !== 'active-first') return [{ where: '', native: open && !text }];
  const openPhase = { where: `ExecutionStatus = 'Running'`, native: !text };
  return open ? [openPhase] : [openPhase, { where: `ExecutionStatus != 'Running'`, native: false }];
}

/**
 * One page of jobs, newest first (by submission): the job index gives the order and the text matches, and
 * Temporal's visibility the filters and each run's view, a batch of ids at a time (or, where Temporal's own
 * order is newest first, its pages). With `active-first` the open runs come first, then the others.
 */
export async function listJobs(
  deps: Deps,
  q: ListQuery,
  ui: Ui,
): Promise<{ items: JobView[]; nextCursor: string | null }> {
  await syncJobIndex(deps);
  const query = visibilityQuery(q);
  const filters = JSON.stringify([query, q.q ?? '', q.repository ?? '', q.order]);
  const phases = phasesOf(q);
  let pos: Position | null = null;
  if (q.cursor) {
    pos = decodeCursor(q.cursor, filters);
    if (!pos || pos.phase >= phases.length || 'token' in pos !== phases[pos.phase].native)
      throw new HttpError('validation_failed', 'bad cursor', [
        { path: 'cursor', message: 'is not a cursor from this list (with these filters)' },
      ]);
  }
  let phase = pos?.phase ?? 0;
  const items: JobView[] = [];
  let scanned = 0;
  const where = () => [query, phases[phase].where].filter(Boolean).join(' AND ');
  while (items.length < q.limit && phase < phases.length && scanned < SCAN_CAP) {
    if (phases[phase].native) {
      const token = pos && 'token' in pos && pos.token ? Buffer.from(pos.token, 'base64url') : undefined;
      const res = await deps.client.workflowService.listWorkflowExecutions({
        namespace: deps.client.options.namespace,
        pageSize: q.limit - items.length,
        nextPageToken: token,
        query: where(),
      });
      for (const s of (res.executions ?? []).map(summaryFromRaw)) {
        if (!s) continue;
        const jobId = s.workflowId.replace(/^job-/, '');
        items.push(jobView(s, { ...ui, jobId }));
      }
      if (res.nextPageToken?.length) {
        pos = { phase, token: Buffer.from(res.nextPageToken).toString('base64url') };
        break;
      }
      phase += 1;
      pos = null;
      continue;
    }
    const rows = await scanJobs(deps.sql, {
      text: q.q,
      repository: q.repository,
      after: pos && pos.phase === phase && 'jobId' in pos ? pos : null,
      limit: SCAN_BATCH,
    });
    scanned += rows.length;
    const found = rows.length
      ? await viewsOf(
          deps.client,
          where(),
          rows.map((r) => r.jobId),
          ui,
        )
      : new Map<string, JobView>();
    let last: (typeof rows)[number] | null = null;
    for (const row of rows) {
      if (items.length === q.limit) break;
      last = row;
      const view = found.get(row.jobId);
      if (view) items.push(view);
    }
    if (last) pos = { phase, ...last };
    if (rows.length < SCAN_BATCH && last === (rows.at(-1) ?? null)) {
      phase += 1;
      pos = null;
    }
  }
  // The page is full: a cursor even when nothing follows (the next page is then empty, without one).
  const more = phase < phases.length;
  const start = (): Position => (phases[phase].native ? { phase, token: '' } : { phase, ...PHASE_START });
  return {
    items,
    nextCursor: more ? encodeCursor(pos ?? start(), filters) : null,
  };
}

/** A search narrows counts to this many of its newest matches (the ids go into the visibility query). */
const COUNT_MATCH_CAP = 500;

export const countQuerySchema = listQuerySchema.omit({
  status: true,
  limit: true,
  cursor: true,
  order: true,
});
export type CountQuery = z.infer<typeof countQuerySchema>;

/** How many jobs of each status match the filters: one visibility count per status. */
export async function countJobs(deps: Deps, q: CountQuery): Promise<Record<JobStatus, number>> {
  let ids = '';
  if (q.q || q.repository) {
    await syncJobIndex(deps);
    const rows = await scanJobs(deps.sql, {
      text: q.q,
      repository: q.repository,
      after: null,
      limit: COUNT_MATCH_CAP,
    });
    if (rows.length === 0)
      return Object.fromEntries(jobStatuses.map((s) => [s, 0])) as Record<JobStatus, number>;
    ids = ` AND WorkflowId IN (${rows.map((r) => quote(`job-${r.jobId}`)).join(', ')})`;
  }
  const counts = await Promise.all(
    jobStatuses.map(async (status) => {
      const res = await deps.client.workflowService.countWorkflowExecutions({
        namespace: deps.client.options.namespace,
        query: visibilityQuery({ ...q, status }) + ids,
      });
      return [status, Number(res.count ?? 0)] as const;
    }),
  );
  return Object.fromEntries(counts) as Record<JobStatus, number>;
}
