import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { JobView } from '../../contracts/job.ts';
import { searchAttributes as sa } from '../../contracts/search-attributes.ts';
import { jobStatuses } from '../../contracts/status.ts';
import { jobTypes, publishModes, runtimes } from '../../contracts/task.ts';
import { HttpError } from '../errors.ts';
import { summaryFromRaw } from './temporal.ts';
import { type ExecutionSummary, jobView } from './views.ts';

export const listQuerySchema = z.object({
  status: z.enum(jobStatuses).optional(),
  type: z.enum(jobTypes).optional(),
  runtime: z.enum(runtimes).optional(),
  skill: z.string().trim().min(1).max(128).optional(),
  repository: z.string().trim().min(1).max(300).optional(),
  publishMode: z.enum(publishModes).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(4096).optional(),
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
    where.push(`(${sa.status.name} = 'failed' OR ExecutionStatus IN ('Failed', 'TimedOut'))`);
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

/** One page of jobs, newest first as Temporal's visibility orders them; the page token is the cursor. */
export async function listJobs(
  client: Client,
  q: ListQuery,
  ui: { uiBase: string; namespace: string },
): Promise<{ items: JobView[]; nextCursor: string | null }> {
  let nextPageToken: Uint8Array | undefined;
  if (q.cursor) {
    nextPageToken = Buffer.from(q.cursor, 'base64url');
    if (nextPageToken.length === 0)
      throw new HttpError('validation_failed', 'bad cursor', [
        { path: 'cursor', message: 'is not a cursor from this API' },
      ]);
  }
  let res: Awaited<ReturnType<Client['workflowService']['listWorkflowExecutions']>>;
  try {
    res = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      pageSize: q.limit,
      nextPageToken,
      query: visibilityQuery(q),
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
  return { items, nextCursor: token && token.length > 0 ? Buffer.from(token).toString('base64url') : null };
}
