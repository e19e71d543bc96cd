import { Context } from '@temporalio/activity';
import type { RecordEventsInput } from '../../contracts/activities.ts';
import type { Sql } from '../../db/client.ts';
import { appendEvents } from '../../db/events.ts';

/**
 * Store the workflow's own events for a job through the same path as workers' batches (redaction,
 * `NOTIFY job_events`). The producer is the workflow run and `seq` comes from the workflow, so a retried
 * batch inserts nothing new. Returns how many events were new (the run metrics count only those).
 */
export async function recordEvents(
  sql: Sql,
  input: RecordEventsInput,
): Promise<{ runId: string; inserted: number }> {
  if (input.events.length === 0) return { runId: '', inserted: 0 };
  const { runId } = Context.current().info.workflowExecution ?? {};
  if (!runId) throw new Error('recordEvents runs only as an activity of a workflow');
  const inserted = await appendEvents(sql, input.jobId, {
    producer: `workflow:${runId}`,
    events: input.events.map((e, i) => ({
      seq: input.firstSeq + i,
      level: e.level ?? 'info',
      type: e.type,
      message: e.message,
      payload: e.payload ?? {},
      createdAt: e.createdAt,
    })),
  });
  return { runId, inserted };
}
