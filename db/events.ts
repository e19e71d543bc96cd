import {
  type EventBatch,
  type EventSearchQuery,
  type EventSearchResult,
  type EventsQuery,
  type JobEvent,
  SEARCH_COUNT_CAP,
} from '../contracts/events.ts';
import { redact, redactDeep } from '../contracts/secrets.ts';
import { eventAppendLag, eventsAppended } from '../lib/metrics/control-plane.ts';
import type { Sql } from './client.ts';

/**
 * Job event storage, below both the API (worker batches, reads, SSE) and the control worker (the workflow's
 * own events). An event's `id` is its per-job sequence (`job_seq`), assigned under a per-job lock while the
 * batch is inserted: ids are given in commit order, so a reader that follows `id > cursor` sees every event
 * exactly once whatever the producers' timing.
 */

/** PostgreSQL refuses NUL in text and lone UTF-16 surrogates in jsonb: such characters become U+FFFD. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what is looked for.
const unstorable = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function storableText(text: string, count: { n: number }): string {
  return text.replace(unstorable, () => {
    count.n += 1;
    return '\uFFFD';
  });
}

/** Every string (and key) of a JSON value made storable; an explicit stack, so depth costs no recursion. */
function storableJson(value: unknown, count: { n: number }): unknown {
  const root: { v: unknown } = { v: value };
  const stack: [Record<string | number, unknown>, string | number][] = [
    [root as Record<string, unknown>, 'v'],
  ];
  while (stack.length) {
    const [holder, key] = stack.pop()!;
    const v = holder[key];
    if (typeof v === 'string') holder[key] = storableText(v, count);
    else if (Array.isArray(v)) {
      const copy = [...v];
      holder[key] = copy;
      for (let i = 0; i < copy.length; i++) stack.push([copy as unknown as Record<number, unknown>, i]);
    } else if (v && typeof v === 'object') {
      const copy: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) copy[storableText(k, count)] = item;
      holder[key] = copy;
      for (const k of Object.keys(copy)) stack.push([copy, k]);
    }
  }
  return root.v;
}

/**
 * Store a batch, redacted and made storable; (job, producer, seq) makes a resent batch insert nothing. An
 * event whose text had characters PostgreSQL refuses says so in `payload.replacedCharacters`. One NOTIFY per
 * batch wakes the SSE hub. Returns how many events were new.
 */
export async function appendEvents(sql: Sql, jobId: string, batch: EventBatch): Promise<number> {
  const now = new Date().toISOString();
  const rows = batch.events.map((e) => {
    const count = { n: 0 };
    const message = storableText(redact(e.message), count);
    const payload = storableJson(redactDeep(e.payload), count) as Record<string, unknown>;
    if (count.n) payload.replacedCharacters = count.n;
    return {
      created_at: e.createdAt ?? now,
      level: e.level,
      type: storableText(e.type, { n: 0 }),
      message,
      payload,
      seq: e.seq,
    };
  });
  const inserted = await sql.begin(async (tx) => {
    // One writer per job at a time: the ids this batch takes are above every committed one, and the next
    // batch of this job waits for this one to commit before it numbers its own. The lock and the insert
    // are sent together (one round trip instead of four); the insert's snapshot is taken once the lock is
    // held, so its max(job_seq) sees every batch committed before. One NOTIFY, only when something was new.
    // Workers retry a failed batch anyway; waiting behind another producer's batch of this job is not an
    // outage, so the API's short statement timeout does not apply here.
    const [, , [{ inserted }]] = await Promise.all([
      tx`SET LOCAL statement_timeout = 30000`,
      tx`SELECT pg_advisory_xact_lock(hashtextextended(${jobId}, 42))`,
      tx<{ inserted: number }[]>`
        WITH base AS (
          SELECT coalesce(max(job_seq), 0) AS last FROM job_events WHERE job_id = ${jobId}::uuid
        ), added AS (
          INSERT INTO job_events (job_id, job_seq, created_at, level, type, message, payload, producer, seq)
          SELECT ${jobId}::uuid, base.last + b.n, b.created_at, b.level, b.type, b.message, b.payload,
            ${storableText(batch.producer, { n: 0 })}, b.seq
          FROM base, ROWS FROM (
            jsonb_to_recordset(${tx.json(rows as unknown as Parameters<Sql['json']>[0])})
              AS (created_at timestamptz, level text, type text, message text, payload jsonb, seq bigint)
          ) WITH ORDINALITY AS b(created_at, level, type, message, payload, seq, n)
          ORDER BY b.n
          ON CONFLICT (job_id, producer, seq) DO NOTHING
          RETURNING 1
        )
        SELECT count(*)::int AS inserted,
          CASE WHEN count(*) > 0 THEN pg_notify('job_events', ${jobId}) END AS notified
        FROM added`,
    ]);
    return inserted;
  });
  if (inserted) countAppended(batch, inserted);
  return inserted;
}

/** The append rate and lag (producer clock to storage) by producer kind: the run itself or a worker. */
function countAppended(batch: EventBatch, inserted: number): void {
  const producer = batch.producer.startsWith('workflow:') ? 'workflow' : 'worker';
  eventsAppended.inc({ producer }, inserted);
  const now = Date.now();
  for (const e of batch.events)
    if (e.createdAt) eventAppendLag.observe({ producer }, Math.max(0, now - Date.parse(e.createdAt)) / 1000);
}

interface EventRow {
  id: string;
  jobId: string;
  createdAt: Date;
  level: JobEvent['level'];
  type: string;
  message: string;
  payload: Record<string, unknown>;
}
const toEvent = (r: EventRow): JobEvent => ({
  id: Number(r.id),
  jobId: r.jobId,
  createdAt: r.createdAt.toISOString(),
  level: r.level,
  type: r.type,
  message: r.message,
  payload: r.payload,
});
const columns = (sql: Sql) =>
  sql`job_seq AS id, job_id AS "jobId", created_at AS "createdAt", level, type, message, payload`;

export async function listEvents(sql: Sql, jobId: string, q: EventsQuery): Promise<JobEvent[]> {
  const conds = [sql`job_id = ${jobId}`];
  for (const [value, op] of [
    [q.after, '>'],
    [q.afterEventId, '>'],
    [q.before, '<'],
    [q.beforeEventId, '<'],
  ] as const) {
    if (value === undefined) continue;
    if (typeof value === 'number') conds.push(op === '>' ? sql`job_seq > ${value}` : sql`job_seq < ${value}`);
    else conds.push(op === '>' ? sql`created_at > ${value}` : sql`created_at < ${value}`);
  }
  // Written as the partial index job_events_not_log's predicate, so PostgreSQL uses it.
  if (q.exclude === 'log') conds.push(sql`type <> 'log' AND coalesce(payload->>'kind', '') <> 'log'`);
  const where = conds.reduce((acc, c) => sql`${acc} AND ${c}`);
  const rows = await sql<EventRow[]>`
    SELECT ${columns(sql)} FROM job_events WHERE ${where}
    ORDER BY job_seq ${q.sort === 'desc' ? sql`DESC` : sql`ASC`} LIMIT ${q.limit}`;
  return rows.map(toEvent);
}

/** `\\`, `%` and `_` match themselves in a LIKE pattern. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Lines of a job's newest ones a search samples to tell a common term from a rare one. */
const SAMPLE = 2000;
const COMMON = 20;

/**
 * A job's events whose message contains `q` (any case): the match count (up to SEARCH_COUNT_CAP) and a
 * page of ids, newest first.
 * Two plans, chosen by how common the term is among the job's newest 2,000 lines (read through the
 * (job_id, job_seq) index, a few ms): a rare term goes to the trigram index (migration 008), which finds
 * its few rows among 100,000 in a few ms; a common one (1% or more) reads the job's rows in order, which
 * beats intersecting trigram lists that hold most of the job. A term under three characters has no
 * trigram: it reads the job's rows.
 */
export async function searchEvents(sql: Sql, jobId: string, q: EventSearchQuery): Promise<EventSearchResult> {
  const pattern = `%${likeLiteral(q.q)}%`;
  const [{ common }] =
    q.q.length < 3
      ? [{ common: true }]
      : await sql<{ common: boolean }[]>`
        SELECT count(*) >= ${COMMON} AS common FROM job_events
        WHERE job_id = ${jobId} AND message ILIKE ${pattern}
          AND job_seq > (SELECT coalesce(max(job_seq), 0) FROM job_events WHERE job_id = ${jobId}) - ${SAMPLE}`;
  // `job_id::text` only the trigram index serves; `job_id` only the (job_id, job_seq) one.
  const match = common
    ? sql`job_id = ${jobId} AND message ILIKE ${pattern}`
    : sql`job_id::text = ${jobId}::uuid::text AND message ILIKE ${pattern}`;
  const [[{ total }], rows] = await Promise.all([
    sql<{ total: number }[]>`
      SELECT count(*)::int AS total FROM (SELECT 1 FROM job_events WHERE ${match} LIMIT ${SEARCH_COUNT_CAP + 1}) m`,
    sql<{ id: string }[]>`
      SELECT job_seq AS id FROM job_events
      WHERE ${match} ${q.before === undefined ? sql`` : sql`AND job_seq < ${q.before}`}
      ORDER BY job_seq DESC LIMIT ${q.limit}`,
  ]);
  return {
    total: Math.min(total, SEARCH_COUNT_CAP),
    capped: total > SEARCH_COUNT_CAP,
    ids: rows.map((r) => Number(r.id)),
  };
}

/** Events of a job after an id, in order (the SSE catch-up and the hub's fetch). */
export async function eventsAfter(
  sql: Sql,
  jobId: string,
  afterId: number,
  limit = 500,
): Promise<JobEvent[]> {
  const rows = await sql<EventRow[]>`
    SELECT ${columns(sql)} FROM job_events WHERE job_id = ${jobId} AND job_seq > ${afterId}
    ORDER BY job_seq LIMIT ${limit}`;
  return rows.map(toEvent);
}

export async function lastEventId(sql: Sql, jobId: string): Promise<number> {
  const [row] = await sql<{ max: string | null }[]>`
    SELECT max(job_seq) AS max FROM job_events WHERE job_id = ${jobId}`;
  return Number(row?.max ?? 0);
}
