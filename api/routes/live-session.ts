import type { z } from 'zod';
import {
  grantWriteBodySchema,
  handBackBodySchema,
  liveSessionViewSchema,
  revokeBodySchema,
  takeoverBodySchema,
} from '../../contracts/live-session.ts';
import type { UserIdentity } from '../auth/identity.ts';
import { HttpError } from '../errors.ts';
import { currentView, ensureSession, grantWrite, handBack, revoke, takeover } from '../live/actions.ts';
import { errorSchema } from '../schemas.ts';
import { existingJob, jobInWorkerScope } from './job-access.ts';
import { jobParams } from './queue.ts';
import { defineRoutes, input } from './table.ts';

const user = (ctx: { state: { identity: unknown } }) => ctx.state.identity as UserIdentity;
const view = { description: 'the live session', schema: liveSessionViewSchema };
const tag = 'live-session';
const base = '/api/queue/jobs/{jobId}/live-session';
/** A plain GET of a socket route: the real request is an upgrade, which api/live/upgrade.ts takes. */
const upgradeRequired = () => {
  throw new HttpError(
    'upgrade_required',
    'this is a WebSocket endpoint: connect with an Upgrade: websocket request',
    undefined,
    {
      Upgrade: 'websocket',
    },
  );
};
const socketResponses = {
  101: { description: 'switched to the WebSocket protocol (frames: contracts/live-session.ts)' },
  426: { description: 'not a WebSocket upgrade request', schema: errorSchema },
};

export const liveSessionRoutes = defineRoutes([
  {
    method: 'get',
    path: base,
    summary: "A job's live terminal session (state DISABLED, id null, when none was started)",
    tag,
    access: 'viewer',
    params: jobParams,
    responses: { 200: view },
    async handler(ctx, deps) {
      const { jobId } = input<{ jobId: string }>(ctx).params;
      await existingJob(deps, jobId);
      ctx.body = await currentView(deps, jobId);
    },
  },
  {
    method: 'post',
    path: base,
    summary: 'Start a live terminal session for a running job (returns the open one when there is one)',
    tag,
    access: 'operator',
    conflict:
      'the run finished or has not started, or its worker carries MOONMIND_LIVE_SESSIONS_PER_WORKER sessions already',
    rateLimited: true,
    params: jobParams,
    responses: {
      201: { ...view, description: 'started (STARTING)' },
      200: { ...view, description: 'the open one' },
    },
    async handler(ctx, deps) {
      const { jobId } = input<{ jobId: string }>(ctx).params;
      const { view: started, created } = await ensureSession(deps, jobId, user(ctx).name);
      ctx.status = created ? 201 : 200;
      ctx.body = started;
    },
  },
  {
    method: 'post',
    path: `${base}/grant-write`,
    summary:
      'Let the caller type into the live terminal for `minutes` (default MOONMIND_LIVE_SESSION_WRITE_MINUTES)',
    tag,
    access: 'operator',
    conflict: 'no open live session',
    params: jobParams,
    body: grantWriteBodySchema,
    responses: { 200: { ...view, description: 'the session with its write grant' } },
    async handler(ctx, deps) {
      const { params, body } = input<{ jobId: string }, never, z.infer<typeof grantWriteBodySchema>>(ctx);
      ctx.body = await grantWrite(deps, user(ctx), params.jobId, body.minutes);
    },
  },
  {
    method: 'post',
    path: `${base}/revoke`,
    summary: 'End the write grant, or with `session: true` the whole session (REVOKED)',
    tag,
    access: 'operator',
    conflict: 'no open live session',
    params: jobParams,
    body: revokeBodySchema,
    responses: { 200: view },
    async handler(ctx, deps) {
      const { params, body } = input<{ jobId: string }, never, z.infer<typeof revokeBodySchema>>(ctx);
      ctx.body = await revoke(deps, user(ctx), params.jobId, body.session ?? false);
    },
  },
  {
    method: 'post',
    path: `${base}/takeover`,
    summary: 'Take the run over: hard pause, write access for `minutes`, a shell in the workspace',
    tag,
    access: 'operator',
    conflict: 'the run refused the takeover (with its reason), or its worker carries too many sessions',
    rateLimited: true,
    params: jobParams,
    body: takeoverBodySchema,
    responses: { 200: { ...view, description: 'the session, taken over' } },
    async handler(ctx, deps) {
      const { params, body } = input<{ jobId: string }, never, z.infer<typeof takeoverBodySchema>>(ctx);
      ctx.body = await takeover(deps, user(ctx), params.jobId, body.minutes);
    },
  },
  {
    method: 'post',
    path: `${base}/hand-back`,
    summary: "Hand a taken-over run back: the summary goes into the run's next prompt and the run resumes",
    tag,
    access: 'operator',
    conflict: 'no takeover is active, or the run refused the message or the resume',
    params: jobParams,
    body: handBackBodySchema,
    responses: { 200: { ...view, description: 'the session, handed back' } },
    async handler(ctx, deps) {
      const { params, body } = input<{ jobId: string }, never, z.infer<typeof handBackBodySchema>>(ctx);
      ctx.body = await handBack(deps, user(ctx), params.jobId, body.summary);
    },
  },
  {
    method: 'get',
    path: `${base}/socket`,
    summary: "Watch (and, holding a write grant, type into) a job's live terminal: a WebSocket",
    tag,
    access: 'viewer',
    params: jobParams,
    responses: socketResponses,
    async handler(ctx, deps) {
      await existingJob(deps, input<{ jobId: string }>(ctx).params.jobId);
      upgradeRequired();
    },
  },
  {
    method: 'get',
    path: '/api/worker/jobs/{jobId}/live-session/socket',
    summary: "A step's terminal, streamed by its worker: a WebSocket (worker token scoped to the job)",
    tag,
    access: 'worker',
    params: jobParams,
    responses: socketResponses,
    async handler(ctx, deps) {
      await jobInWorkerScope(ctx, deps, input<{ jobId: string }>(ctx).params.jobId);
      upgradeRequired();
    },
  },
]);
