import { z } from 'zod';
import {
  expandRequestSchema,
  expandResultSchema,
  saveFromTaskSchema,
  semverSchema,
  type TemplateBody,
  templateBodySchema,
  templateDetailSchema,
  templateListQuerySchema,
  templateListSchema,
  templateRefQuerySchema,
  templateSchema,
  templateSlugSchema,
} from '../../contracts/presets.ts';
import { forgesFrom, locateRepository } from '../../contracts/repository.ts';
import { audit } from '../audit.ts';
import type { UserIdentity } from '../auth/identity.ts';
import type { ApiContext, ApiDeps } from '../context.ts';
import { conflict, forbidden, notFound, validationFailed } from '../errors.ts';
import { loadJob } from '../jobs/detail.ts';
import { changeRefusal, teamIssues } from '../presets/access.ts';
import { expandTemplate, unresolvedPlaceholders } from '../presets/expand.ts';
import { templateFromSteps } from '../presets/save-from-task.ts';
import {
  deleteTemplate,
  insertTemplate,
  type ListQuery,
  listTemplates,
  loadTemplate,
  ownerKeyOf,
  recordUse,
  resolveTemplate,
  setFavorite,
  viewerOf,
} from '../presets/store.ts';
import { errorSchema } from '../schemas.ts';
import { defineRoutes, input } from './table.ts';

const tag = 'presets';
const base = '/api/task-step-templates';
const slugParams = z.object({ slug: templateSlugSchema });
/**
 * `{slug}` routes match a slug alone: with the plain `/:slug` pattern the router would also take
 * `save-from-task` and `x:expand` for them (and answer OPTIONS with methods those paths do not have).
 */
const slugPath = (rest = '') =>
  new RegExp(`^${base}/(?<slug>(?!save-from-task(?:/|$))[a-z0-9][a-z0-9-]{0,62})${rest}$`);
type Ref = z.infer<typeof templateRefQuerySchema>;
const user = (ctx: ApiContext) => ctx.state.identity as UserIdentity;
const immutable =
  'that version exists or is not above the latest: a released version is immutable, release a higher one';

/** The template a slug names for the caller (404 when it cannot see one). */
async function resolved(ctx: ApiContext, deps: ApiDeps) {
  const { params, query } = input<{ slug: string }, Ref>(ctx);
  const viewer = await viewerOf(deps.sql, user(ctx));
  const key = await resolveTemplate(deps.sql, viewer, params.slug, query);
  if (!key) throw notFound('template');
  return { viewer, key };
}

/** Check, store and answer with a new released version. */
async function create(ctx: ApiContext, deps: ApiDeps, body: TemplateBody) {
  const issues = [...teamIssues(body), ...unresolvedPlaceholders(body)];
  if (issues.length) throw validationFailed(issues);
  const viewer = await viewerOf(deps.sql, user(ctx));
  const refusal = changeRefusal(viewer, body.scope, body.team);
  if (refusal) throw forbidden(refusal);
  const ownerKey = ownerKeyOf(body, viewer.id);
  const ownerId = body.scope === 'personal' ? viewer.id : null;
  if (!(await insertTemplate(deps.sql, body, { ownerKey, ownerId, createdBy: viewer.id })))
    throw conflict(immutable);
  await audit(deps.sql, user(ctx), 'template.create', `${body.scope}:${ownerKey}:${body.slug}`, {
    version: body.version,
  });
  const saved = await loadTemplate(
    deps.sql,
    viewer,
    { scope: body.scope, ownerKey, slug: body.slug },
    body.version,
  );
  ctx.status = 201;
  ctx.body = saved?.template;
}

export const presetRoutes = defineRoutes([
  {
    method: 'get',
    path: base,
    summary: 'The step-template catalog: the latest version of each template the caller can see',
    tag,
    access: 'viewer',
    query: templateListQuerySchema,
    responses: { 200: { description: 'one page, favorites first', schema: templateListSchema } },
    async handler(ctx, deps) {
      const viewer = await viewerOf(deps.sql, user(ctx));
      ctx.body = await listTemplates(deps.sql, viewer, input<never, ListQuery>(ctx).query);
    },
  },
  {
    method: 'post',
    path: base,
    summary: 'Release a template version (personal; team for its members; global for admins)',
    tag,
    access: 'operator',
    rateLimited: true,
    conflict: immutable,
    body: templateBodySchema,
    responses: { 201: { description: 'released', schema: templateSchema } },
    async handler(ctx, deps) {
      await create(ctx, deps, input<never, never, TemplateBody>(ctx).body);
    },
  },
  {
    method: 'post',
    path: `${base}/save-from-task`,
    summary: 'Save selected steps of a job (or of the form) as a personal template 1.0.0',
    tag,
    access: 'operator',
    rateLimited: true,
    conflict: immutable,
    body: saveFromTaskSchema,
    responses: {
      201: { description: 'released', schema: templateSchema },
      404: { description: 'no job with that id', schema: errorSchema },
    },
    async handler(ctx, deps) {
      const body = input<never, never, z.infer<typeof saveFromTaskSchema>>(ctx).body;
      let steps = body.steps ?? [];
      if (body.jobId) {
        const { payload } = (await loadJob(deps, body.jobId)).view;
        if (!('task' in payload))
          throw validationFailed([{ path: 'jobId', message: 'is not a task job (only tasks have steps)' }]);
        const jobSteps = payload.task.steps;
        const missing = (body.stepIndexes ?? []).findIndex((i) => i >= jobSteps.length);
        if (missing >= 0)
          throw validationFailed([
            { path: `stepIndexes.${missing}`, message: `the job has ${jobSteps.length} steps` },
          ]);
        steps = (body.stepIndexes ?? []).map((i) => ({ ...jobSteps[i] }) as Record<string, unknown>);
      }
      const made = templateFromSteps(
        steps.map(({ id: _id, ...step }) => step),
        body,
      );
      if (!made.ok) throw validationFailed(made.issues);
      await create(ctx, deps, made.body);
    },
  },
  {
    method: 'get',
    path: `${base}/{slug}`,
    routerPath: slugPath(),
    summary: 'A template: its latest version and every version released',
    tag,
    access: 'viewer',
    params: slugParams,
    query: templateRefQuerySchema,
    responses: { 200: { description: 'the template', schema: templateDetailSchema } },
    async handler(ctx, deps) {
      const { viewer, key } = await resolved(ctx, deps);
      const found = await loadTemplate(deps.sql, viewer, key);
      if (!found) throw notFound('template');
      ctx.body = { ...found.template, versions: found.versions };
    },
  },
  {
    method: 'get',
    path: `${base}/{slug}/versions/{version}`,
    routerPath: slugPath('/versions/(?<version>[^/]+)'),
    summary: 'One released version of a template',
    tag,
    access: 'viewer',
    params: slugParams.extend({ version: semverSchema }),
    query: templateRefQuerySchema,
    responses: { 200: { description: 'the version', schema: templateSchema } },
    async handler(ctx, deps) {
      const { viewer, key } = await resolved(ctx, deps);
      const found = await loadTemplate(deps.sql, viewer, key, input<{ version: string }>(ctx).params.version);
      if (!found) throw notFound('template version');
      ctx.body = found.template;
    },
  },
  {
    method: 'post',
    path: `${base}/{slug}:expand`,
    routerPath: `${base}/:slug\\:expand`,
    summary: "Expand a template version into concrete steps (the context is the server's)",
    tag,
    access: 'viewer',
    conflict: 'the template is inactive',
    params: slugParams,
    query: templateRefQuerySchema,
    body: expandRequestSchema,
    responses: {
      200: { description: 'the steps and the applied-template record', schema: expandResultSchema },
    },
    async handler(ctx, deps) {
      const body = input<never, never, z.infer<typeof expandRequestSchema>>(ctx).body;
      const { viewer, key } = await resolved(ctx, deps);
      const found = await loadTemplate(deps.sql, viewer, key, body.version);
      if (!found) throw notFound('template version');
      if (!found.template.isActive) throw conflict('the template is inactive');
      let repository = body.repository ?? deps.config.MOONMIND_DEFAULT_REPOSITORY ?? null;
      if (repository) {
        const located = locateRepository(repository, forgesFrom(deps.config));
        if ('error' in located) throw validationFailed([{ path: 'repository', message: located.error }]);
        repository = located.canonical;
      }
      const outcome = expandTemplate(
        found.template,
        body.inputs,
        { repository, defaultBranch: null, objective: body.instructions ?? '', requester: user(ctx).name },
        {
          now: new Date(),
          maxSteps: deps.config.MOONMIND_PRESET_MAX_STEPS,
          skillCapabilities: await deps.skills.capabilities(),
        },
      );
      if (!outcome.ok) throw validationFailed(outcome.issues);
      await recordUse(deps.sql, viewer, key);
      ctx.body = outcome.result;
    },
  },
  {
    method: 'post',
    path: `${base}/{slug}:favorite`,
    routerPath: `${base}/:slug\\:favorite`,
    summary: 'Mark a template as a favorite (of the caller)',
    tag,
    access: 'viewer',
    params: slugParams,
    query: templateRefQuerySchema,
    responses: { 204: { description: 'marked' } },
    async handler(ctx, deps) {
      const { viewer, key } = await resolved(ctx, deps);
      await setFavorite(deps.sql, viewer, key, true);
      ctx.status = 204;
    },
  },
  {
    method: 'delete',
    path: `${base}/{slug}:favorite`,
    routerPath: `${base}/:slug\\:favorite`,
    summary: 'Unmark a favorite template',
    tag,
    access: 'viewer',
    params: slugParams,
    query: templateRefQuerySchema,
    responses: { 204: { description: 'unmarked' } },
    async handler(ctx, deps) {
      const { viewer, key } = await resolved(ctx, deps);
      await setFavorite(deps.sql, viewer, key, false);
      ctx.status = 204;
    },
  },
  {
    method: 'delete',
    path: `${base}/{slug}`,
    routerPath: slugPath(),
    summary: 'Delete a template, every version (soft: jobs that applied it keep their record)',
    tag,
    access: 'operator',
    params: slugParams,
    query: templateRefQuerySchema,
    responses: { 204: { description: 'deleted' } },
    async handler(ctx, deps) {
      const { viewer, key } = await resolved(ctx, deps);
      const refusal = changeRefusal(viewer, key.scope, key.scope === 'team' ? key.ownerKey : null);
      if (refusal) throw forbidden(refusal);
      await deleteTemplate(deps.sql, key);
      await audit(deps.sql, user(ctx), 'template.delete', `${key.scope}:${key.ownerKey}:${key.slug}`);
      ctx.status = 204;
    },
  },
]);
