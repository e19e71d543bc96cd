import { z } from 'zod';
import {
  cancelBodySchema,
  controlBodySchema,
  operatorMessageBodySchema,
} from '../../contracts/control-bodies.ts';
import { jobStatuses } from '../../contracts/status.ts';
import { jobEnvelopeSchema, taskInputSchema } from '../../contracts/task.ts';
import { audit } from '../audit.ts';
import type { UserIdentity } from '../auth/identity.ts';
import { uuidParam } from '../ids.ts';
import { sendControl } from '../jobs/control.ts';
import { loadJob, uiBaseOf } from '../jobs/detail.ts';
import {
  type CountQuery,
  countJobs,
  countQuerySchema,
  type ListQuery,
  listJobs,
  listQuerySchema,
} from '../jobs/list.ts';
import { rerunJob } from '../jobs/rerun.ts';
import { submitJob } from '../jobs/submit.ts';
import { jobViewSchema, requestIdSchema } from '../schemas.ts';
import { defineRoutes, input } from './table.ts';

export const jobParams = z.object({ jobId: uuidParam('a job id') });
const user = (ctx: { state: { identity: unknown } }) => ctx.state.identity as UserIdentity;

export const queueRoutes = defineRoutes([
  {
    method: 'post',
    path: '/api/queue/jobs',
    summary: 'Submit a job (task envelope); repeats with the same Idempotency-Key return the same job',
    tag: 'queue',
    access: 'operator',
    rateLimited: true,
    headers: z.object({
      'Idempotency-Key': z.string().trim().max(200, 'must be at most 200 characters').optional(),
    }),
    // Documents the task envelope; `normalizeJob` parses the body (every rule, every field's path).
    body: jobEnvelopeSchema.extend({ payload: taskInputSchema }),
    parseBody: false,
    responses: {
      201: { description: 'created', schema: jobViewSchema },
      200: { description: 'the job an earlier submission with the same key created', schema: jobViewSchema },
    },
    async handler(ctx, deps) {
      const key =
        input<never, never, never, { 'Idempotency-Key'?: string }>(ctx).headers['Idempotency-Key'] || null;
      const { view, created } = await submitJob(deps, user(ctx), ctx.state.input.body, key);
      if (created) await audit(deps.sql, user(ctx), 'job.submit', view.id, { repository: view.repository });
      ctx.status = created ? 201 : 200;
      ctx.body = view;
    },
  },
  {
    method: 'get',
    path: '/api/queue/jobs',
    summary: 'List jobs, newest first (by submission); `q` and `repository` match parts of the text',
    tag: 'queue',
    access: 'viewer',
    query: listQuerySchema,
    responses: {
      200: {
        description: 'one page',
        schema: z.object({ items: z.array(jobViewSchema), nextCursor: z.string().nullable() }),
      },
    },
    async handler(ctx, deps) {
      ctx.body = await listJobs(deps, input<never, ListQuery>(ctx).query, {
        uiBase: uiBaseOf(deps.config),
        namespace: deps.client.options.namespace,
      });
    },
  },
  {
    method: 'get',
    path: '/api/queue/counts',
    summary: 'How many jobs of each status match the filters (a search counts its 500 newest matches)',
    tag: 'queue',
    access: 'viewer',
    query: countQuerySchema,
    responses: {
      200: {
        description: 'counts by status',
        schema: z.object({ counts: z.record(z.enum(jobStatuses), z.number().int()) }),
      },
    },
    async handler(ctx, deps) {
      ctx.body = { counts: await countJobs(deps, input<never, CountQuery>(ctx).query) };
    },
  },
  {
    method: 'get',
    path: '/api/queue/jobs/{jobId}',
    summary: 'A job, with its live state while it runs',
    tag: 'queue',
    access: 'viewer',
    params: jobParams,
    responses: { 200: { description: 'the job', schema: jobViewSchema } },
    async handler(ctx, deps) {
      ctx.body = (await loadJob(deps, input(ctx).params.jobId)).view;
    },
  },
  {
    method: 'post',
    path: '/api/queue/jobs/{jobId}/rerun',
    summary: 'Run a finished job again: a new job with the same task, linked to this one (origin.rerunOf)',
    tag: 'queue',
    access: 'operator',
    conflict: 'the job has not finished',
    rateLimited: true,
    params: jobParams,
    headers: z.object({
      'Idempotency-Key': z.string().trim().max(200, 'must be at most 200 characters').optional(),
    }),
    responses: {
      201: { description: 'the new job', schema: jobViewSchema },
      200: { description: 'the job an earlier re-run with the same key created', schema: jobViewSchema },
    },
    async handler(ctx, deps) {
      const { params, headers } = input<{ jobId: string }, never, never, { 'Idempotency-Key'?: string }>(ctx);
      const { view, created } = await rerunJob(
        deps,
        user(ctx),
        params.jobId,
        headers['Idempotency-Key'] || null,
      );
      if (created) await audit(deps.sql, user(ctx), 'job.rerun', view.id, { rerunOf: params.jobId });
      ctx.status = created ? 201 : 200;
      ctx.body = view;
    },
  },
  {
    method: 'post',
    path: '/api/queue/jobs/{jobId}/cancel',
    summary: 'Cancel a job (409 when it already finished)',
    tag: 'queue',
    access: 'operator',
    conflict: 'the job already finished',
    rateLimited: true,
    params: jobParams,
    body: cancelBodySchema,
    responses: {
      200: {
        description: 'cancel accepted by the run (also when it was already requested)',
        schema: jobViewSchema,
      },
      202: { description: 'cancel sent; the run had not answered yet', schema: jobViewSchema },
    },
    async handler(ctx, deps) {
      const { params, body } = input<{ jobId: string }, never, z.infer<typeof cancelBodySchema>>(ctx);
      const { view, verdict } = await sendControl(deps, user(ctx), params.jobId, {
        action: 'cancel',
        reason: body.reason,
      });
      ctx.status = verdict ? 200 : 202;
      ctx.body = view;
    },
  },
  {
    method: 'post',
    path: '/api/queue/jobs/{jobId}/control',
    summary: 'Pause, resume or take over a running job',
    tag: 'queue',
    access: 'operator',
    conflict:
      'the run ignored the action, with its reason (it finished, is already paused, is not paused, has not started)',
    rateLimited: true,
    params: jobParams,
    body: controlBodySchema,
    responses: {
      200: { description: 'accepted by the run: the job in its new state', schema: jobViewSchema },
      202: { description: 'sent; the run had not answered yet', schema: jobViewSchema },
    },
    async handler(ctx, deps) {
      const { params, body } = input<{ jobId: string }, never, z.infer<typeof controlBodySchema>>(ctx);
      const { view, verdict } = await sendControl(deps, user(ctx), params.jobId, body);
      ctx.status = verdict ? 200 : 202;
      ctx.body = view;
    },
  },
  {
    method: 'post',
    path: '/api/queue/jobs/{jobId}/operator-messages',
    summary: 'Send a message to a running job',
    tag: 'queue',
    access: 'operator',
    conflict: 'the job already finished, or the message is empty',
    rateLimited: true,
    params: jobParams,
    body: operatorMessageBodySchema,
    responses: {
      200: { description: 'taken by the run', schema: requestIdSchema.pick({ requestId: true }) },
      202: {
        description: 'sent; the run had not answered yet',
        schema: requestIdSchema.pick({ requestId: true }),
      },
    },
    async handler(ctx, deps) {
      const { params, body } = input<{ jobId: string }, never, z.infer<typeof operatorMessageBodySchema>>(
        ctx,
      );
      const { requestId, verdict } = await sendControl(deps, user(ctx), params.jobId, {
        action: 'message',
        message: body.message,
      });
      ctx.status = verdict ? 200 : 202;
      ctx.body = { requestId };
    },
  },
]);
