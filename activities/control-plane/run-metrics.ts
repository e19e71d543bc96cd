import type { Client } from '@temporalio/client';
import type { RecordEventsInput } from '../../contracts/activities.ts';
import { workflowIdFor } from '../../contracts/job.ts';
import { searchAttributes } from '../../contracts/search-attributes.ts';
import type { Sql } from '../../db/client.ts';
import { runDuration, runQueueWait, runsFinished, runsStarted } from '../../lib/metrics/control-plane.ts';

/**
 * A run's runtime and submission time, read from Temporal once (at its first start) and kept until it ends,
 * so counting a run costs one `describe`. Bounded: runs that never end here (terminated) age out.
 */
export class RunFacts {
  private readonly known = new Map<string, { runtime: string; submittedAt: number }>();
  constructor(private readonly max = 10_000) {}

  async of(jobId: string, client: Client): Promise<{ runtime: string; submittedAt: number }> {
    const kept = this.known.get(jobId);
    if (kept) return kept;
    const described = await client.workflow.getHandle(workflowIdFor(jobId)).describe();
    const facts = {
      runtime: described.typedSearchAttributes.get(searchAttributes.runtime) ?? 'unknown',
      submittedAt: described.startTime.getTime(),
    };
    this.known.set(jobId, facts);
    // Maps iterate in insertion order: the oldest goes first.
    if (this.known.size > this.max) this.known.delete(this.known.keys().next().value as string);
    return facts;
  }

  forget(jobId: string): void {
    this.known.delete(jobId);
  }
}

/**
 * Run counters from the run's own events, counted where they are stored: each run records its first
 * `run.attempt.started` and its `run.finished` exactly once, and a retried `recordEvents` batch stores
 * nothing new (`inserted` is 0), so each run counts once — including runs that never reached a worker
 * (cancelled while queued), which a worker-side count would miss. Runtime and submission time come from the
 * run's search attributes, the pool from its attempt's event.
 */
export async function countRunEvents(
  deps: { sql: Sql; client: Client },
  runId: string,
  input: RecordEventsInput,
  inserted: number,
  facts: RunFacts,
): Promise<void> {
  if (!inserted) return;
  const counted = input.events
    .map((e, i) => ({ ...e, seq: input.firstSeq + i }))
    .filter((e) => e.type === 'run.attempt.started' || e.type === 'run.finished');
  if (counted.length === 0) return;
  const { runtime, submittedAt } = await facts.of(input.jobId, deps.client);
  const since = (e: { createdAt?: string }) =>
    Math.max(0, (e.createdAt ? Date.parse(e.createdAt) : Date.now()) - submittedAt) / 1000;
  for (const e of counted) {
    if (e.type === 'run.attempt.started') {
      // Only the run's first start: a later attempt (or a handed-back one) is the same run.
      const [{ earlier }] = await deps.sql<{ earlier: number }[]>`
        SELECT count(*)::int AS earlier FROM job_events
        WHERE job_id = ${input.jobId} AND producer = ${`workflow:${runId}`} AND seq < ${e.seq}
          AND type = 'run.attempt.started'`;
      if (earlier > 0) continue;
      const pool = String(e.payload?.pool ?? 'unknown');
      runsStarted.inc({ runtime, pool });
      runQueueWait.observe({ runtime, pool }, since(e));
    } else {
      const status = String(e.payload?.status ?? 'unknown');
      const [last] = await deps.sql<{ pool: string | null }[]>`
        SELECT payload->>'pool' AS pool FROM job_events
        WHERE job_id = ${input.jobId} AND type = 'run.attempt.started' ORDER BY job_seq DESC LIMIT 1`;
      runsFinished.inc({ status, runtime, pool: last?.pool ?? 'none' });
      facts.forget(input.jobId);
      runDuration.observe({ status, runtime }, since(e));
    }
  }
}
