import type { Client } from '@temporalio/client';
import { type JobMemo, jobIdFrom, jobWorkflowQuery } from '../../contracts/job.ts';
import type { Sql } from '../../db/client.ts';
import { type IndexedJob, indexJobs, newestIndexed } from '../../db/job-index.ts';

/** At most one sync per API process and database this often; lists wait for one in flight. */
const SYNC_EVERY_MS = 2_000;
/** Visibility is eventually consistent: each sync looks this far behind the previous one's start. */
const VISIBILITY_LAG_MS = 30_000;
/** A process's first sync looks this far before the newest indexed job (an API restart's gap). */
const FIRST_LOOKBACK_MS = 10 * 60_000;

interface SyncState {
  since: Date | null;
  lastAt: number;
  running: Promise<void> | null;
}
const states = new WeakMap<Sql, SyncState>();

/**
 * Add to the job index the runs the API did not start itself (started on Temporal directly, or while no API
 * indexed them): the `taskRun` executions started since the last sync, read from visibility. Submissions
 * through the API are indexed at once (api/jobs/submit.ts); this catches the rest within a list call or two.
 */
export async function syncJobIndex(deps: { client: Client; sql: Sql }): Promise<void> {
  let state = states.get(deps.sql);
  if (!state) {
    state = { since: null, lastAt: 0, running: null };
    states.set(deps.sql, state);
  }
  if (state.running) return state.running;
  if (Date.now() - state.lastAt < SYNC_EVERY_MS) return;
  const current = state;
  current.running = (async () => {
    const started = Date.now();
    let since = current.since;
    if (!since) {
      const newest = await newestIndexed(deps.sql);
      since = newest ? new Date(newest.getTime() - FIRST_LOOKBACK_MS) : null;
    }
    const query = `${jobWorkflowQuery}${since ? ` AND StartTime > '${since.toISOString()}'` : ''}`;
    let batch: IndexedJob[] = [];
    for await (const wf of deps.client.workflow.list({ query })) {
      const memo = wf.memo as JobMemo | undefined;
      const jobId = jobIdFrom(wf.workflowId);
      if (!memo?.job || !jobId) continue;
      batch.push({
        jobId,
        title: memo.title,
        repository: memo.job.payload.repository,
        createdAt: memo.submittedAt,
      });
      if (batch.length >= 500) {
        await indexJobs(deps.sql, batch);
        batch = [];
      }
    }
    await indexJobs(deps.sql, batch);
    current.since = new Date(started - VISIBILITY_LAG_MS);
    current.lastAt = Date.now();
  })().finally(() => {
    current.running = null;
  });
  return current.running;
}
