import { z } from 'zod';

/** Job events (shared/spec/01-task-contract.md#events): what workers send and what the API returns. */
export const eventLevels = ['debug', 'info', 'warn', 'error'] as const;
export type EventLevel = (typeof eventLevels)[number];

export const eventInputSchema = z.object({
  seq: z.number().int().min(0),
  level: z.enum(eventLevels).default('info'),
  type: z.string().min(1).max(100),
  message: z.string().max(64_000),
  payload: z.record(z.string(), z.unknown()).default({}),
  createdAt: z.iso.datetime({ offset: true }).optional(),
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

/**
 * Reading a job's events: `after`/`before` take an event id or an ISO timestamp; `afterEventId`/`beforeEventId`
 * an event id. Event ids are per job, in the order events were stored.
 */
const idOrTime = z.union([z.coerce.number().int().min(0), z.iso.datetime({ offset: true })]);
export const eventsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  sort: z.enum(['asc', 'desc']).default('asc'),
  after: idOrTime.optional(),
  afterEventId: z.coerce.number().int().min(0).optional(),
  before: idOrTime.optional(),
  beforeEventId: z.coerce.number().int().min(0).optional(),
});
export type EventsQuery = z.infer<typeof eventsQuerySchema>;

/** Stage names as the spec gives them; `<stage>.started|finished|failed` are event types. */
export const stages = ['moonmind.task.prepare', 'moonmind.task.execute', 'moonmind.task.publish'] as const;
export type Stage = (typeof stages)[number];
