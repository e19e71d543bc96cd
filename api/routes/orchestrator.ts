import { z } from 'zod';
import { cancelBodySchema } from '../../contracts/control-bodies.ts';
import { type EventsQuery, eventsQuerySchema } from '../../contracts/events.ts';
import {
  type OrchestratorListQuery,
  type OrchestratorSubmit,
  orchestratorApprovalSchema,
  orchestratorListQuerySchema,
  orchestratorSubmitSchema,
} from '../../contracts/orchestrator.ts';
import { isOrchestratorTerminal } from '../../contracts/orchestrator-run.ts';
import { listEvents } from '../../db/events.ts';
import { getRun } from '../../db/orchestrator-runs.ts';
import { serviceSummaries } from '../../lib/service-profiles.ts';
import { artifactItems, sendArtifact } from '../artifacts/download.ts';
import { audit } from '../audit.ts';
import type { UserIdentity } from '../auth/identity.ts';
import type { ApiDeps } from '../context.ts';
import { conflict, notFound } from '../errors.ts';
import { streamEvents } from '../events/sse.ts';
import { uuidParam } from '../ids.ts';
import { sendOrchestratorControl } from '../orchestrator/control.ts';
import {
  orchestratorRunListSchema,
  orchestratorRunViewSchema,
  serviceSummarySchema,
} from '../orchestrator/schemas.ts';
import { startOrchestratorRun } from '../orchestrator/start.ts';
import { listRunViews, loadRunView } from '../orchestrator/view.ts';
import { artifactSchema, jobEventSchema } from '../schemas.ts';
import { streamHeadersSchema, streamQuerySchema } from './events.ts';
import { defineRoutes, input, type RouteDef } from './table.ts';

const runParams = z.object({ runId: uuidParam('an orchestrator run id') });
const user = (ctx: { state: { identity: unknown } }) => ctx.state.identity as UserIdentity;
const retryBodySchema = orchestratorSubmitSchema.pick({ approvalToken: true }).strict();

/** A run that exists (404 otherwise): its row. */
async function existingRun(deps: Pick<ApiDeps, 'sql'>, runId: string) {
  const row = await getRun(deps.sql, runId);
  if (!row) throw notFound('orchestrator run');
  return row;
}

/** The routes of spec 08, relative to their prefix (served under both, see below). */
const relative = (prefix: string) =>
  defineRoutes([
    {
      method: 'post',
      path: '/runs',
      summary: 'Start an orchestrator run on one service of the profiles (an approval token pre-approves it)',
      tag: 'orchestrator',
      access: 'operator',
      rateLimited: true,
      body: orchestratorSubmitSchema,
      responses: { 201: { description: 'the new run', schema: orchestratorRunViewSchema } },
      async handler(ctx, deps) {
        const body = input<never, never, OrchestratorSubmit>(ctx).body;
        const { runId, approval } = await startOrchestratorRun(deps, user(ctx), body);
        await audit(deps.sql, user(ctx), 'orchestrator.submit', runId, {
          service: body.targetService,
          ...(approval ? { approvedAtSubmission: true } : {}),
        });
        ctx.status = 201;
        ctx.body = await loadRunView(deps, runId);
      },
    },
    {
      method: 'get',
      path: '/runs',
      summary: 'Orchestrator runs, newest first, by status (cursor pages)',
      tag: 'orchestrator',
      access: 'viewer',
      query: orchestratorListQuerySchema,
      responses: { 200: { description: 'one page', schema: orchestratorRunListSchema } },
      async handler(ctx, deps) {
        ctx.body = await listRunViews(deps, input<never, OrchestratorListQuery>(ctx).query);
      },
    },
    {
      method: 'get',
      path: '/runs/{runId}',
      summary: 'A run: its plan, steps with times and outcomes, reasons and artifacts (live while it runs)',
      tag: 'orchestrator',
      access: 'viewer',
      params: runParams,
      responses: { 200: { description: 'the run', schema: orchestratorRunViewSchema } },
      async handler(ctx, deps) {
        ctx.body = await loadRunView(deps, input(ctx).params.runId);
      },
    },
    {
      method: 'get',
      path: '/runs/{runId}/artifacts',
      summary: "A run's artifacts: plan.json, patch.diff and the step logs",
      tag: 'orchestrator',
      access: 'viewer',
      params: runParams,
      responses: { 200: { description: 'artifacts', schema: z.object({ items: z.array(artifactSchema) }) } },
      async handler(ctx, deps) {
        const { runId } = input(ctx).params;
        await existingRun(deps, runId);
        const url = (id: string) => `${prefix}/runs/${runId}/artifacts/${id}/download`;
        ctx.body = { items: await artifactItems(deps, runId, url) };
      },
    },
    {
      method: 'get',
      path: '/runs/{runId}/artifacts/{artifactId}/download',
      summary: 'Download an artifact (streamed, as an attachment)',
      tag: 'orchestrator',
      access: 'viewer',
      params: runParams.extend({ artifactId: uuidParam('an artifact id') }),
      responses: {
        200: { description: "the artifact bytes, with the artifact's own Content-Type", contentType: '*/*' },
      },
      async handler(ctx, deps) {
        const { runId, artifactId } = input(ctx).params;
        await existingRun(deps, runId);
        await sendArtifact(ctx, deps, runId, artifactId);
      },
    },
    {
      method: 'get',
      path: '/runs/{runId}/events',
      summary: "A run's events (ascending by default), as a job's",
      tag: 'orchestrator',
      access: 'viewer',
      params: runParams,
      query: eventsQuerySchema,
      responses: { 200: { description: 'events', schema: z.object({ items: z.array(jobEventSchema) }) } },
      async handler(ctx, deps) {
        const { params, query } = input<{ runId: string }, EventsQuery>(ctx);
        await existingRun(deps, params.runId);
        ctx.body = { items: await listEvents(deps.sql, params.runId, query) };
      },
    },
    {
      method: 'get',
      path: '/runs/{runId}/events/stream',
      summary:
        'Server-Sent Events: `job_event` per event (id = event id), `: ping` heartbeats, `end` when the run finished',
      tag: 'orchestrator',
      access: 'viewer',
      params: runParams,
      query: streamQuerySchema,
      headers: streamHeadersSchema,
      responses: { 200: { description: 'an event stream', contentType: 'text/event-stream' } },
      async handler(ctx, deps) {
        const { params, query, headers } = input<
          { runId: string },
          { lastEventId?: number },
          never,
          { 'Last-Event-ID'?: number }
        >(ctx);
        const row = await existingRun(deps, params.runId);
        const cursor = headers['Last-Event-ID'] ?? query.lastEventId ?? 0;
        const { status } = row.state;
        await streamEvents(ctx, {
          sql: deps.sql,
          hub: deps.hub,
          jobId: params.runId,
          cursor,
          finishedStatus: isOrchestratorTerminal(status) ? status : null,
        });
      },
    },
    {
      method: 'post',
      path: '/runs/{runId}/approvals',
      summary:
        "Approve a run awaiting approval (with the service's token when it has one); approving again is a no-op",
      tag: 'orchestrator',
      access: 'operator',
      conflict: 'the run is not awaiting approval (with the reason: it finished, it has no plan yet...)',
      rateLimited: true,
      params: runParams,
      body: orchestratorApprovalSchema,
      responses: {
        200: { description: 'approved (or already approved): the run', schema: orchestratorRunViewSchema },
        202: { description: 'sent; the run had not answered yet', schema: orchestratorRunViewSchema },
      },
      async handler(ctx, deps) {
        const { params, body } = input<{ runId: string }, never, z.infer<typeof orchestratorApprovalSchema>>(
          ctx,
        );
        const { view, verdict } = await sendOrchestratorControl(deps, user(ctx), params.runId, {
          action: 'approve',
          token: body.token,
          reason: body.comment,
        });
        ctx.status = verdict ? 200 : 202;
        ctx.body = view;
      },
    },
    {
      method: 'post',
      path: '/runs/{runId}/cancel',
      summary: 'Cancel a run: its running step stops and the service is left as it was',
      tag: 'orchestrator',
      access: 'operator',
      conflict: 'the run already finished',
      rateLimited: true,
      params: runParams,
      body: cancelBodySchema,
      responses: {
        200: {
          description: 'cancel accepted (also when already requested)',
          schema: orchestratorRunViewSchema,
        },
        202: { description: 'sent; the run had not answered yet', schema: orchestratorRunViewSchema },
      },
      async handler(ctx, deps) {
        const { params, body } = input<{ runId: string }, never, z.infer<typeof cancelBodySchema>>(ctx);
        const { view, verdict } = await sendOrchestratorControl(deps, user(ctx), params.runId, {
          action: 'cancel',
          reason: body.reason,
        });
        ctx.status = verdict ? 200 : 202;
        ctx.body = view;
      },
    },
    {
      method: 'post',
      path: '/runs/{runId}/retry',
      summary: "Run a finished run's stored plan again (analyze is skipped): a new run, linked by retryOf",
      tag: 'orchestrator',
      access: 'operator',
      conflict: 'the run has not finished, has no plan to reuse, or its service left the profiles',
      rateLimited: true,
      params: runParams,
      body: retryBodySchema,
      responses: { 201: { description: 'the new run', schema: orchestratorRunViewSchema } },
      async handler(ctx, deps) {
        const { params, body } = input<{ runId: string }, never, z.infer<typeof retryBodySchema>>(ctx);
        const { state } = await existingRun(deps, params.runId);
        if (!isOrchestratorTerminal(state.status))
          throw conflict(`cannot retry: the run is ${state.status.replace('_', ' ')}`);
        if (!state.plan) throw conflict('cannot retry: the run has no plan to reuse');
        if (!deps.services.has(state.targetService))
          throw conflict(`cannot retry: ${state.targetService} is no longer a service of the profiles`);
        const { runId } = await startOrchestratorRun(
          deps,
          user(ctx),
          {
            instruction: state.instruction,
            targetService: state.targetService,
            priority: state.priority,
            publish: { mode: state.publishMode },
            ...body,
          },
          { of: state.runId, plan: state.plan },
        );
        await audit(deps.sql, user(ctx), 'orchestrator.retry', runId, { retryOf: state.runId });
        ctx.status = 201;
        ctx.body = await loadRunView(deps, runId);
      },
    },
    {
      method: 'get',
      path: '/services',
      summary: 'The services of the profiles a run may target (no paths, commands or tokens)',
      tag: 'orchestrator',
      access: 'viewer',
      responses: {
        200: {
          description: 'the services, by name',
          schema: z.object({ items: z.array(serviceSummarySchema) }),
        },
      },
      async handler(ctx, deps) {
        ctx.body = { items: serviceSummaries(deps.services) };
      },
    },
  ]);

/**
 * Spec 08 names the routes `/orchestrator/...`; the rest of the API lives under `/api/...`: both are served,
 * from the same definitions (the dashboard and the CLI use `/api/orchestrator/...`).
 */
export const orchestratorRoutes: RouteDef[] = ['/api/orchestrator', '/orchestrator'].flatMap((prefix) =>
  relative(prefix).map((r) => ({ ...r, path: `${prefix}${r.path}` })),
);
