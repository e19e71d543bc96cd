import { z } from 'zod';
import {
  bulkResultSchema,
  bulkSchema,
  decisionSchema,
  type ProposalCreate,
  prioritySchema,
  promoteSchema,
  proposalCreateSchema,
  proposalDetailSchema,
  proposalListQuerySchema,
  proposalListSchema,
  proposalSchema,
  snoozeSchema,
} from '../../contracts/proposals.ts';
import { audit } from '../audit.ts';
import type { UserIdentity } from '../auth/identity.ts';
import type { ApiContext, ApiDeps } from '../context.ts';
import { HttpError, notFound, validationFailed } from '../errors.ts';
import { uuidParam } from '../ids.ts';
import { normalizeSubmission } from '../jobs/submit.ts';
import { createProposal } from '../proposals/create.ts';
import { changeProposal, decide, decisions } from '../proposals/decide.ts';
import { listProposals, type ProposalListQuery } from '../proposals/list.ts';
import { taskPreview } from '../proposals/preview.ts';
import { promoteProposal } from '../proposals/promote.ts';
import { similarProposals } from '../proposals/similar.ts';
import { getProposal, historyOf, toProposal } from '../proposals/store.ts';
import { jobViewSchema } from '../schemas.ts';
import { defineRoutes, input, type RouteDef } from './table.ts';

const tag = 'proposals';
const base = '/api/proposals';
const idParams = z.object({ id: uuidParam('a proposal id') });
const user = (ctx: ApiContext) => ctx.state.identity as UserIdentity;
const changed =
  'the proposal is not open any more, or changed since `expectedVersion` (the message names its state)';

const createdSchema = proposalSchema.extend({
  duplicateOf: z.uuid().optional().describe('set when an open proposal with the same dedup key answered'),
});
const promotedSchema = z.object({ proposal: proposalSchema, jobId: z.uuid(), job: jobViewSchema });

type Deps = ApiDeps;
type Promote = z.infer<typeof promoteSchema>;

async function promote(ctx: ApiContext, deps: Deps, id: string, body: Promote) {
  const { row, view, created } = await promoteProposal(deps, user(ctx), id, body);
  if (created) await audit(deps.sql, user(ctx), 'proposal.promote', id, { jobId: view.id });
  return { status: created ? 201 : 200, body: { proposal: toProposal(row), jobId: view.id, job: view } };
}

/** The routes that change one open proposal: a decision or a triage action, each a compare-and-set. */
const change = (
  path: string,
  summary: string,
  body: z.ZodObject,
  run: (ctx: ApiContext, deps: Deps, id: string, body: never) => ReturnType<typeof decide>,
): RouteDef => ({
  method: 'post',
  path: `${base}/{id}/${path}`,
  summary,
  tag,
  access: 'operator',
  conflict: changed,
  params: idParams,
  body,
  responses: { 200: { description: 'the proposal as it is now', schema: proposalSchema } },
  async handler(ctx, deps) {
    const { params, body } = input<{ id: string }, never, never>(ctx);
    ctx.body = toProposal(await run(ctx, deps, params.id, body));
  },
});

export const proposalRoutes = defineRoutes([
  {
    method: 'post',
    path: base,
    summary:
      'Propose follow-up work (an operator, or a worker token with proposals_write for a repository in its scope)',
    tag,
    access: 'proposer',
    rateLimited: { perMinute: (c) => c.MOONMIND_PROPOSALS_RATE_PER_MIN, what: 'proposals' },
    body: proposalCreateSchema,
    responses: {
      201: { description: 'stored, open', schema: createdSchema },
      200: { description: 'an open proposal with the same dedup key (`duplicateOf`)', schema: createdSchema },
    },
    async handler(ctx, deps) {
      const body = input<never, never, ProposalCreate>(ctx).body;
      const { row, created } = await createProposal(deps, ctx.state.identity!, body);
      ctx.status = created ? 201 : 200;
      ctx.body = created ? toProposal(row) : { ...toProposal(row), duplicateOf: row.id };
    },
  },
  {
    method: 'get',
    path: base,
    summary: 'The proposal inbox: filtered, in triage order (priority, then newest), with counts per status',
    tag,
    access: 'viewer',
    query: proposalListQuerySchema,
    responses: { 200: { description: 'one page', schema: proposalListSchema } },
    async handler(ctx, deps) {
      ctx.body = await listProposals(deps.sql, input<never, ProposalListQuery>(ctx).query);
    },
  },
  {
    method: 'post',
    path: `${base}/bulk`,
    summary: 'Promote, dismiss or snooze a selection; each proposal is answered on its own',
    tag,
    access: 'operator',
    rateLimited: true,
    body: bulkSchema,
    responses: { 200: { description: 'one result per proposal, in order', schema: bulkResultSchema } },
    async handler(ctx, deps) {
      const body = input<never, never, z.infer<typeof bulkSchema>>(ctx).body;
      const until = body.until ?? null;
      if (body.action === 'snooze' && !until)
        throw validationFailed([{ path: 'until', message: 'is required to snooze' }]);
      const results = [];
      for (const id of body.ids) {
        try {
          if (body.action === 'promote') {
            const r = await promote(ctx, deps, id, {});
            results.push({ id, ok: true, status: r.status, jobId: r.body.jobId, error: null });
          } else {
            await (body.action === 'dismiss'
              ? decide(deps, user(ctx), id, 'dismiss', { note: body.note })
              : changeProposal(
                  deps,
                  user(ctx),
                  id,
                  undefined,
                  'snooze',
                  (sql) => sql`snoozed_until = ${until}`,
                ));
            results.push({ id, ok: true, status: 200, jobId: null, error: null });
          }
        } catch (err) {
          // Outages end the request (the caller retries; promotion is idempotent); refusals are per item.
          if (!(err instanceof HttpError) || err.status >= 500) throw err;
          results.push({ id, ok: false, status: err.status, jobId: null, error: err.message });
        }
      }
      ctx.body = { results };
    },
  },
  {
    method: 'get',
    path: `${base}/{id}`,
    // Not `bulk`: with the plain `/:id` pattern OPTIONS /api/proposals/bulk would also offer GET.
    routerPath: new RegExp(`^${base}/(?<id>(?!bulk(?:/|$))[^/]+)$`),
    summary: 'A proposal with the job a promotion would start, similar proposals and its history',
    tag,
    access: 'viewer',
    params: idParams,
    responses: { 200: { description: 'the proposal', schema: proposalDetailSchema } },
    async handler(ctx, deps) {
      const row = await getProposal(deps.sql, input<{ id: string }>(ctx).params.id);
      if (!row) throw notFound('proposal');
      const proposal = toProposal(row);
      const [checked, similar, history] = await Promise.all([
        normalizeSubmission(deps, row.task_create_request),
        similarProposals(deps.sql, proposal),
        historyOf(deps.sql, row.id),
      ]);
      // An envelope the rules refuse now (settings changed since) still shows; promoting it says why.
      const preview = checked.ok
        ? taskPreview(checked.job)
        : { repository: row.repository, runtime: '', publishMode: '', steps: [] };
      ctx.body = { ...proposal, preview, similar, history };
    },
  },
  {
    method: 'post',
    path: `${base}/{id}/promote`,
    summary:
      'Start the proposal as a job (normal submission path); repeats answer with the same job. Optional overrides, or an edited job envelope',
    tag,
    access: 'operator',
    conflict: changed,
    rateLimited: true,
    params: idParams,
    body: promoteSchema,
    responses: {
      201: { description: 'promoted: the job started', schema: promotedSchema },
      200: { description: 'promoted before: the same job', schema: promotedSchema },
    },
    async handler(ctx, deps) {
      const { params, body } = input<{ id: string }, never, Promote>(ctx);
      const r = await promote(ctx, deps, params.id, body);
      ctx.status = r.status;
      ctx.body = r.body;
    },
  },
  ...(Object.keys(decisions) as (keyof typeof decisions)[]).map((d) =>
    change(d, `Decide an open proposal: ${decisions[d]}`, decisionSchema, (ctx, deps, id, body) =>
      decide(deps, user(ctx), id, d, body),
    ),
  ),
  change('priority', 'Set the triage priority of an open proposal', prioritySchema, (ctx, deps, id, body) => {
    const b = body as z.infer<typeof prioritySchema>;
    return changeProposal(
      deps,
      user(ctx),
      id,
      b.expectedVersion,
      'priority',
      (sql) => sql`priority = ${b.priority}`,
    );
  }),
  change(
    'snooze',
    'Hide an open proposal from the inbox until a time',
    snoozeSchema,
    (ctx, deps, id, body) => {
      const b = body as z.infer<typeof snoozeSchema>;
      return changeProposal(
        deps,
        user(ctx),
        id,
        b.expectedVersion,
        'snooze',
        (sql) => sql`snoozed_until = ${b.until}`,
      );
    },
  ),
  change(
    'unsnooze',
    'Show a snoozed proposal in the inbox again',
    decisionSchema.pick({ expectedVersion: true }),
    (ctx, deps, id, body) =>
      changeProposal(
        deps,
        user(ctx),
        id,
        (body as { expectedVersion?: number }).expectedVersion,
        'unsnooze',
        (sql) => sql`snoozed_until = NULL`,
      ),
  ),
]);
