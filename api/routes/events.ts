import { z } from 'zod';
import {
  type EventBatch,
  type EventSearchQuery,
  type EventsQuery,
  eventBatchSchema,
  eventIdPattern,
  eventIdSchema,
  eventSearchQuerySchema,
  eventSearchResultSchema,
  eventsQuerySchema,
} from '../../contracts/events.ts';
import { appendEvents, listEvents, searchEvents } from '../../db/events.ts';
import { streamEvents } from '../events/sse.ts';
import { describeJob } from '../jobs/temporal.ts';
import { jobStatus } from '../jobs/views.ts';
import { jobEventSchema } from '../schemas.ts';
import { existingJob, jobInWorkerScope } from './job-access.ts';
import { jobParams } from './queue.ts';
import { defineRoutes, input } from './table.ts';

/** Where an event stream resumes: `?lastEventId=` or the `Last-Event-ID` header a reconnecting EventSource sends. */
export const streamQuerySchema = z.object({ lastEventId: eventIdSchema.optional() });
// On the wire the header may also be blank: Node trims a value's blanks and an empty one is absent (validate.ts).
export const streamHeadersSchema = z.object({
  'Last-Event-ID': eventIdSchema
    .optional()
    .meta({ override: { pattern: `^[ \\t]*(?:${eventIdPattern.source.slice(1, -1)})?[ \\t]*$` } }),
});

export const eventRoutes = defineRoutes([
  {
    method: 'get',
    path: '/api/queue/jobs/{jobId}/events',
    summary: "A job's events (ascending by default)",
    tag: 'events',
    access: 'viewer',
    params: jobParams,
    query: eventsQuerySchema,
    responses: { 200: { description: 'events', schema: z.object({ items: z.array(jobEventSchema) }) } },
    async handler(ctx, deps) {
      const { params, query } = input<{ jobId: string }, EventsQuery>(ctx);
      await existingJob(deps, params.jobId);
      ctx.body = { items: await listEvents(deps.sql, params.jobId, query) };
    },
  },
  {
    method: 'get',
    path: '/api/queue/jobs/{jobId}/events/search',
    summary:
      "Search a job's whole log: ids of the events whose message contains `q` (any case), newest first",
    tag: 'events',
    access: 'viewer',
    params: jobParams,
    query: eventSearchQuerySchema,
    responses: { 200: { description: 'matches', schema: eventSearchResultSchema } },
    async handler(ctx, deps) {
      const { params, query } = input<{ jobId: string }, EventSearchQuery>(ctx);
      await existingJob(deps, params.jobId);
      ctx.body = await searchEvents(deps.sql, params.jobId, query);
    },
  },
  {
    method: 'get',
    path: '/api/queue/jobs/{jobId}/events/stream',
    summary:
      'Server-Sent Events: `job_event` per event (id = event id), `: ping` heartbeats, `end` when the run finished',
    tag: 'events',
    access: 'viewer',
    params: jobParams,
    query: streamQuerySchema,
    headers: streamHeadersSchema,
    responses: { 200: { description: 'an event stream', contentType: 'text/event-stream' } },
    async handler(ctx, deps) {
      const { params, query, headers } = input<
        { jobId: string },
        { lastEventId?: number },
        never,
        { 'Last-Event-ID'?: number }
      >(ctx);
      await existingJob(deps, params.jobId);
      const cursor = headers['Last-Event-ID'] ?? query.lastEventId ?? 0;
      const summary = await describeJob(deps.client, params.jobId);
      const finishedStatus = summary && summary.executionStatus !== 'RUNNING' ? jobStatus(summary) : null;
      await streamEvents(ctx, { sql: deps.sql, hub: deps.hub, jobId: params.jobId, cursor, finishedStatus });
    },
  },
  {
    method: 'post',
    path: '/api/worker/jobs/{jobId}/events',
    summary: 'Append a batch of events (idempotent per producer + seq; redacted on ingest)',
    tag: 'worker',
    access: 'worker',
    params: jobParams,
    body: eventBatchSchema,
    responses: { 202: { description: 'stored', schema: z.object({ inserted: z.number().int() }) } },
    async handler(ctx, deps) {
      const { params, body } = input<{ jobId: string }, never, EventBatch>(ctx);
      await jobInWorkerScope(ctx, deps, params.jobId);
      const inserted = await appendEvents(deps.sql, params.jobId, body);
      ctx.status = 202;
      ctx.body = { inserted };
    },
  },
]);
