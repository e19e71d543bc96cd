import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { JobView } from '../../contracts/job.ts';
import { searchAttributes as sa } from '../../contracts/search-attributes.ts';
import { FAILED_OR_DEAD_LETTER, statusFilters } from '../../contracts/status.ts';
import { jobTypes, publishModes, runtimes } from '../../contracts/task.ts';
import { HttpError } from '../errors.ts';
import { summaryFromRaw } from './temporal.ts';
import { type ExecutionSummary, jobView } from './views.ts';

export const listQuerySchema = z.object({
  status: z.enum(statusFilters).optional(),
  type: z.enum(jobTypes).optional(),
  runtime: z.enum(runtimes).optional(),
  skill: z.string().trim().min(1).max(128).optional(),
  repository: z.string().trim().min(1).max(300).optional(),
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
 * The visibility query for a list: only `taskRun` executions, filtered on the search attributes. A run that
 * Temporal itself ended (terminated, timed out) may still carry a non-terminal MoonMindStatus, so the
 * terminal filters also match on the execution status and open statuses require a running execution.
 */
export function visibilityQuery(q: Omit<ListQuery, 'limit' | 'cursor'>): string {
  // A run that continued as new is listed once: by its open (or last) execution.
  const where = [`WorkflowType = 'taskRun'`, `ExecutionStatus != 'ContinuedAsNew'`];
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
    [sa.repository.name, q.repository],
    [sa.publishMode.name, q.publishMode],
  ];
  for (const [name, value] of eq) if (value !== undefined) where.push(`${name} = ${quote(value)}`);
  return where.join(' AND ');
}

/**
 * A cursor is Temporal's page token plus a check over the token and the list's filters. Temporal answers a
 * garbage token with UNKNOWN, which its client retries for seconds; checked here, garbage (or a cursor of
 * other filters) is a 400 at once.
 */
const cursorCheck = (token: Uint8Array, query: string) =>
  createHash('sha256')
    .update(token)
    .update('\0')
    .update(query)
    .digest()
    .subarray(0, 12)
    .toString('base64url');
const encodeCursor = (token: Uint8Array, query: string) =>
  `${Buffer.from(token).toString('base64url')}.${cursorCheck(token, query)}`;
function decodeCursor(cursor: string, query: string): Buffer | null {
  const [encoded, check] = cursor.split('.');
  const token = Buffer.from(encoded, 'base64url');
  return token.length > 0 && check === cursorCheck(token, query) ? token : null;
}

/** One page of jobs, newest first as Temporal's visibility orders them; the cursor carries the page token. */
export async function listJobs(
  client: Client,
  q: ListQuery,
  ui: { uiBase: string; namespace: string },
): Promise<{ items: JobView[]; nextCursor: string | null }> {
  const query = visibilityQuery(q);
  let nextPageToken: Uint8Array | undefined;
  if (q.cursor) {
    nextPageToken = decodeCursor(q.cursor, query) ?? undefined;
    if (!nextPageToken)
      throw new HttpError('validation_failed', 'bad cursor', [
        { path: 'cursor', message: 'is not a cursor from this list (with these filters)' },
      ]);
  }
  let res: Awaited<ReturnType<Client['workflowService']['listWorkflowExecutions']>>;
  try {
    res = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      pageSize: q.limit,
      nextPageToken,
      query,
    });
  } catch (err) {
    // An invalid page token is the caller's mistake, not an outage.
    if (q.cursor && /token|invalid/i.test((err as Error).message)) {
      throw new HttpError('validation_failed', 'bad cursor', [
        { path: 'cursor', message: 'is not a valid cursor' },
      ]);
    }
    throw err;
  }
  const items = (res.executions ?? [])
    .map(summaryFromRaw)
    .filter((s): s is ExecutionSummary => s !== null)
    .map((s) => jobView(s, { ...ui, jobId: s.workflowId.replace(/^job-/, '') }));
  const token = res.nextPageToken;
  return { items, nextCursor: token && token.length > 0 ? encodeCursor(token, query) : null };
}
