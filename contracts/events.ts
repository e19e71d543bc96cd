import { z } from 'zod';

/** Job events (shared/spec/01-task-contract.md#events): what workers send and what the API returns. */
export const eventLevels = ['debug', 'info', 'warn', 'error'] as const;
export type EventLevel = (typeof eventLevels)[number];

const earliest = Date.UTC(1970, 0, 1);
const latest = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/**
 * An ISO 8601 timestamp with an offset, as UTC (`toISOString`). PostgreSQL refuses offsets past ±15:59 and
 * a year 0000, and years below 100 read back as 19xx/20xx, so only 1970 to 9999 (UTC) is taken: a 400,
 * never a failed or a wrong query.
 */
export const timestampSchema = z.iso
  .datetime({ offset: true })
  .refine((v) => {
    const t = Date.parse(v);
    return t >= earliest && t <= latest;
  }, 'must be a timestamp from 1970 to 9999 (UTC)')
  .transform((v) => new Date(v).toISOString());

export const eventInputSchema = z.object({
  seq: z.number().int().min(0),
  level: z.enum(eventLevels).default('info'),
  type: z.string().min(1).max(100),
  message: z.string().max(64_000),
  payload: z.record(z.string(), z.unknown()).default({}),
  createdAt: timestampSchema.optional(),
});
export type EventInput = z.input<typeof eventInputSchema>;

export const eventBatchSchema = z.object({
  producer: z.string().min(1).max(200),
  events: z.array(eventInputSchema).min(1).max(1000),
});
export type EventBatch = z.infer<typeof eventBatchSchema>;

export const jobEventSchema = z.object({
  id: z.number().int(),
  jobId: z.string(),
  createdAt: z.string(),
  level: z.enum(eventLevels),
  type: z.string(),
  message: z.string(),
  payload: z.record(z.string(), z.unknown()),
});
export type JobEvent = z.infer<typeof jobEventSchema>;

export const eventIdPattern = /^\d{1,16}$/;
const eventIdMessage = `must be an event id: a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`;
/**
 * An event id as a query or header value: digits only, at most 2^53 - 1 (ids are bigint in PostgreSQL and
 * numbers in JSON), so a huge or odd value is a 400 rather than a query PostgreSQL refuses.
 */
export const eventIdSchema = z
  .string({ error: eventIdMessage })
  .regex(eventIdPattern, eventIdMessage)
  .transform(Number)
  .refine(Number.isSafeInteger, eventIdMessage);

/**
 * Reading a job's events: `after`/`before` take an event id or an ISO timestamp; `afterEventId`/`beforeEventId`
 * an event id. Event ids are per job, in the order events were stored.
 */
const idOrTimeMessage = `must be an event id (0 to ${Number.MAX_SAFE_INTEGER}) or an ISO 8601 timestamp`;
const idOrTime = z
  .string({ error: idOrTimeMessage })
  .transform((v, ctx) => {
    const id = eventIdSchema.safeParse(v);
    if (id.success) return id.data;
    const time = timestampSchema.safeParse(v);
    if (time.success) return time.data;
    ctx.addIssue({ code: 'custom', message: idOrTimeMessage });
    return z.NEVER;
  })
  // The transform renders as a bare string: the OpenAPI document states both forms it takes.
  .meta({ override: { anyOf: [{ pattern: eventIdPattern.source }, { format: 'date-time' }] } });
export const eventsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  sort: z.enum(['asc', 'desc']).default('asc'),
  after: idOrTime.optional(),
  afterEventId: eventIdSchema.optional(),
  before: idOrTime.optional(),
  beforeEventId: eventIdSchema.optional(),
  /** `log` leaves log lines out: the run page reads a long run's stages, steps and controls on their own. */
  exclude: z.enum(['log']).optional(),
});
export type EventsQuery = z.infer<typeof eventsQuerySchema>;

/**
 * Searching a job's whole log: a case-insensitive substring of the event's message, newest matches first,
 * `before` an event id to page to older ones.
 */
export const eventSearchQuerySchema = z.object({
  // PostgreSQL takes no NUL in text (stored lines hold U+FFFD in its place): a 400, not a failed query.
  q: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(200)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what is refused.
    .regex(/^[^\u0000]*$/, 'must not contain a NUL character'),
  before: eventIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});
export type EventSearchQuery = z.infer<typeof eventSearchQuerySchema>;
/** A search counts matches up to this many: a term on every line of a long log costs no more than this. */
export const SEARCH_COUNT_CAP = 10_000;
export const eventSearchResultSchema = z.object({
  /** Matches in the whole job, whatever the page, counted up to SEARCH_COUNT_CAP. */
  total: z.number().int(),
  /** There are more matches than `total`. */
  capped: z.boolean(),
  /** Ids of the matching events on this page, newest first. */
  ids: z.array(z.number().int()),
});
export type EventSearchResult = z.infer<typeof eventSearchResultSchema>;

/** Stage names as the spec gives them; `<stage>.started|finished|failed` are event types. */
export const stages = ['moonmind.task.prepare', 'moonmind.task.execute', 'moonmind.task.publish'] as const;
export type Stage = (typeof stages)[number];
