import { z } from 'zod';
import {
  type ScheduleCreate,
  type SchedulePatch,
  scheduleCreateSchema,
  scheduleIdPattern,
  scheduleJobSchema,
  schedulePatchSchema,
  scheduleViewSchema,
} from '../../contracts/schedules.ts';
import { audit } from '../audit.ts';
import type { UserIdentity } from '../auth/identity.ts';
import { validationFailed } from '../errors.ts';
import { issuesOf } from '../middleware/validate.ts';
import {
  createSchedule,
  deleteSchedule,
  getSchedule,
  listSchedules,
  triggerSchedule,
  updateSchedule,
} from '../schedules/store.ts';
import { defineRoutes, input } from './table.ts';

const params = z.object({
  id: z.string().regex(scheduleIdPattern, 'must be a schedule id (schedule-<name>-<6 hex>)'),
});
const user = (ctx: { state: { identity: unknown } }) => ctx.state.identity as UserIdentity;
// Documents the task envelope; the submission rules parse it (every rule, every field's path under `job.`).
const documented = { job: scheduleJobSchema };

export const scheduleRoutes = defineRoutes([
  {
    method: 'post',
    path: '/api/schedules',
    summary: 'Create a recurring task: a Temporal Schedule whose every fire runs the task as a normal job',
    tag: 'schedules',
    access: 'operator',
    rateLimited: true,
    body: scheduleCreateSchema.extend(documented),
    parseBody: false,
    responses: { 201: { description: 'created', schema: scheduleViewSchema } },
    async handler(ctx, deps) {
      const body = scheduleCreateSchema.safeParse(ctx.state.input.body);
      if (!body.success) throw validationFailed(issuesOf(body.error));
      const view = await createSchedule(deps, user(ctx), body.data as ScheduleCreate);
      await audit(deps.sql, user(ctx), 'schedule.create', view.id, { spec: view.specText });
      ctx.status = 201;
      ctx.body = view;
    },
  },
  {
    method: 'get',
    path: '/api/schedules',
    summary: 'Every schedule, by name, with next and recent fires',
    tag: 'schedules',
    access: 'viewer',
    responses: {
      200: { description: 'the schedules', schema: z.object({ items: z.array(scheduleViewSchema) }) },
    },
    async handler(ctx, deps) {
      ctx.body = { items: await listSchedules(deps) };
    },
  },
  {
    method: 'get',
    path: '/api/schedules/{id}',
    summary: 'One schedule',
    tag: 'schedules',
    access: 'viewer',
    params,
    responses: { 200: { description: 'the schedule', schema: scheduleViewSchema } },
    async handler(ctx, deps) {
      ctx.body = await getSchedule(deps, input<{ id: string }>(ctx).params.id);
    },
  },
  {
    method: 'patch',
    path: '/api/schedules/{id}',
    summary: 'Change the spec, the task, or pause / unpause (with a note)',
    tag: 'schedules',
    access: 'operator',
    params,
    body: schedulePatchSchema.safeExtend({ job: scheduleJobSchema.optional() }),
    parseBody: false,
    responses: { 200: { description: 'the schedule as changed', schema: scheduleViewSchema } },
    async handler(ctx, deps) {
      const patch = schedulePatchSchema.safeParse(ctx.state.input.body);
      if (!patch.success) throw validationFailed(issuesOf(patch.error));
      const { id } = input<{ id: string }>(ctx).params;
      const view = await updateSchedule(deps, user(ctx), id, patch.data as SchedulePatch);
      await audit(deps.sql, user(ctx), 'schedule.update', id, { fields: Object.keys(patch.data) });
      ctx.body = view;
    },
  },
  {
    method: 'delete',
    path: '/api/schedules/{id}',
    summary: 'Delete a schedule (runs it started go on)',
    tag: 'schedules',
    access: 'operator',
    params,
    responses: { 204: { description: 'deleted' } },
    async handler(ctx, deps) {
      const { id } = input<{ id: string }>(ctx).params;
      await deleteSchedule(deps, id);
      await audit(deps.sql, user(ctx), 'schedule.delete', id);
      ctx.status = 204;
    },
  },
  {
    method: 'post',
    path: '/api/schedules/{id}/trigger',
    summary: 'Fire now, whatever the overlap policy (a person asked for this run)',
    tag: 'schedules',
    access: 'operator',
    rateLimited: true,
    params,
    responses: { 202: { description: 'fired; the run starts in a moment', schema: scheduleViewSchema } },
    async handler(ctx, deps) {
      const { id } = input<{ id: string }>(ctx).params;
      const view = await triggerSchedule(deps, id);
      await audit(deps.sql, user(ctx), 'schedule.trigger', id);
      ctx.status = 202;
      ctx.body = view;
    },
  },
]);
