import { z } from 'zod';
import { type EventBatch, type JobEvent, timestampSchema } from '../../contracts/events.ts';
import { redact, redactDeep } from '../../contracts/secrets.ts';
import type { Sql } from '../../db/client.ts';

// PostgreSQL text and jsonb cannot hold NUL, which agent output may contain: it is stored as U+FFFD.
const nulFree = (s: string) => s.replaceAll('\u0000', '\uFFFD');
// In JSON text a NUL is the escape \u0000 after an even number of backslashes (an odd one escapes a backslash).
const jsonNulFree = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value).replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd'));

/**
 * A worker's batch, redacted (and NUL-free) before it is stored; (job, producer, seq) makes a resent batch
 * insert nothing. One NOTIFY per batch wakes the SSE hub. Returns how many events were new.
 */
export async function appendEvents(sql: Sql, jobId: string, batch: EventBatch): Promise<number> {
  const rows = batch.events.map((e) => ({
    job_id: jobId,
    created_at: e.createdAt ?? new Date().toISOString(),
    level: e.level,
    type: nulFree(e.type),
    message: nulFree(redact(e.message)),
    payload: sql.json(jsonNulFree(redactDeep(e.payload)) as Parameters<Sql['json']>[0]),
    producer: nulFree(batch.producer),
    seq: e.seq,
  }));
  return sql.begin(async (tx) => {
    const inserted =
      await tx`INSERT INTO job_events ${tx(rows)} ON CONFLICT (job_id, producer, seq) DO NOTHING RETURNING id`;
    if (inserted.length) await tx`SELECT pg_notify('job_events', ${jobId})`;
    return inserted.length;
  });
}

const eventIdMessage = `must be an event id: a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`;
/**
 * An event id as a query or header value: digits only, at most 2^53 - 1 (ids are bigint in PostgreSQL and
 * numbers in JSON), so a huge or odd value is a 400 rather than a query PostgreSQL refuses.
 */
export const eventIdSchema = z
  .string({ error: eventIdMessage })
  .regex(/^\d{1,16}$/, eventIdMessage)
  .transform(Number)
  .refine(Number.isSafeInteger, eventIdMessage);

/** `after`/`before` take an event id or an ISO timestamp; `afterEventId`/`beforeEventId` an event id. */
const idOrTimeMessage = `must be an event id (0 to ${Number.MAX_SAFE_INTEGER}) or an ISO 8601 timestamp`;
const idOrTime = z.string({ error: idOrTimeMessage }).transform((v, ctx) => {
  const id = eventIdSchema.safeParse(v);
  if (id.success) return id.data;
  if (timestampSchema.safeParse(v).success) return v;
  ctx.addIssue({ code: 'custom', message: idOrTimeMessage });
  return z.NEVER;
});
export const eventsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  sort: z.enum(['asc', 'desc']).default('asc'),
  after: idOrTime.optional(),
  afterEventId: eventIdSchema.optional(),
  before: idOrTime.optional(),
  beforeEventId: eventIdSchema.optional(),
});
export type EventsQuery = z.infer<typeof eventsQuerySchema>;

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
  sql`id, job_id AS "jobId", created_at AS "createdAt", level, type, message, payload`;

export async function listEvents(sql: Sql, jobId: string, q: EventsQuery): Promise<JobEvent[]> {
  const conds = [sql`job_id = ${jobId}`];
  for (const [value, op] of [
    [q.after, '>'],
    [q.afterEventId, '>'],
    [q.before, '<'],
    [q.beforeEventId, '<'],
  ] as const) {
    if (value === undefined) continue;
    if (typeof value === 'number') conds.push(op === '>' ? sql`id > ${value}` : sql`id < ${value}`);
    else conds.push(op === '>' ? sql`created_at > ${value}` : sql`created_at < ${value}`);
  }
  const where = conds.reduce((acc, c) => sql`${acc} AND ${c}`);
  const rows = await sql<EventRow[]>`
    SELECT ${columns(sql)} FROM job_events WHERE ${where}
    ORDER BY id ${q.sort === 'desc' ? sql`DESC` : sql`ASC`} LIMIT ${q.limit}`;
  return rows.map(toEvent);
}

/** Events of a job after an id, in order (the SSE catch-up and the hub's fetch). */
export async function eventsAfter(
  sql: Sql,
  jobId: string,
  afterId: number,
  limit = 500,
): Promise<JobEvent[]> {
  const rows = await sql<EventRow[]>`
    SELECT ${columns(sql)} FROM job_events WHERE job_id = ${jobId} AND id > ${afterId} ORDER BY id LIMIT ${limit}`;
  return rows.map(toEvent);
}

export async function lastEventId(sql: Sql, jobId: string): Promise<number> {
  const [row] = await sql<
    { max: string | null }[]
  >`SELECT max(id) AS max FROM job_events WHERE job_id = ${jobId}`;
  return Number(row?.max ?? 0);
}
