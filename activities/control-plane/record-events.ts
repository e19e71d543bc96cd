import { Context } from '@temporalio/activity';
import type { RecordEventsInput } from '../../contracts/activities.ts';
import type { Sql } from '../../db/client.ts';

/**
 * Store the workflow's own events for a job and wake the SSE streams (`NOTIFY job_events, <jobId>`).
 * The producer is the workflow run and `seq` comes from the workflow, so a retried batch inserts nothing new.
 */
export async function recordEvents(sql: Sql, input: RecordEventsInput): Promise<void> {
  if (input.events.length === 0) return;
  const { runId } = Context.current().info.workflowExecution ?? {};
  if (!runId) throw new Error('recordEvents runs only as an activity of a workflow');
  const producer = `workflow:${runId}`;
  const rows = input.events.map((e, i) => ({
    job_id: input.jobId,
    created_at: e.createdAt ?? new Date().toISOString(),
    level: e.level ?? 'info',
    type: e.type,
    message: e.message,
    payload: sql.json((e.payload ?? {}) as Parameters<Sql['json']>[0]),
    producer,
    seq: input.firstSeq + i,
  }));
  await sql.begin(async (tx) => {
    await tx`INSERT INTO job_events ${tx(rows)} ON CONFLICT (job_id, producer, seq) DO NOTHING`;
    await tx`SELECT pg_notify('job_events', ${input.jobId})`;
  });
}
