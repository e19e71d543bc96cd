import { z } from 'zod';
import { manifestActions, manifestCapabilities, manifestOptionsSchema } from '../../contracts/manifest.ts';
import { parseManifest } from '../../contracts/manifest-parse.ts';
import { manifestSearchRequestSchema } from '../../contracts/manifest-search.ts';
import { getManifest, listCheckpoints, listManifests, putManifest } from '../../db/manifests.ts';
import { manifestHash } from '../../lib/manifest-hash.ts';
import { audit } from '../audit.ts';
import type { UserIdentity } from '../auth/identity.ts';
import { notFound, validationFailed } from '../errors.ts';
import { submitJob } from '../jobs/submit.ts';
import { searchRegistryManifest } from '../manifests/search.ts';
import { jobViewSchema } from '../schemas.ts';
import { defineRoutes, input } from './table.ts';

/**
 * The manifest registry (spec 07): named manifests with their content, hash and revision, the last run, and
 * each data source's checkpoint; runs of a registry manifest go through the queue like any job.
 */
const user = (ctx: { state: { identity: unknown } }) => ctx.state.identity as UserIdentity;
const nameParams = z.object({
  name: z
    .string()
    .max(100)
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'is not a manifest name'),
});
const contentBody = z.strictObject({ content: z.string().min(1).max(1_000_000) });

const lastRunSchema = z
  .object({
    jobId: z.string(),
    status: z.string().nullable(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .nullable();
const recordSchema = z
  .object({
    name: z.string(),
    hash: z.string(),
    version: z.string(),
    revision: z.number().int(),
    updatedBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    lastRun: lastRunSchema,
  })
  .meta({ id: 'ManifestRecord' });
const checkpointSchema = z.object({
  dataSourceId: z.string(),
  docCount: z.number().int(),
  cursor: z.string().nullable(),
  lastRunJobId: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
});
const issueSchema = z.object({
  path: z.string(),
  message: z.string(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
});
const hitSchema = z.object({
  id: z.string(),
  score: z.number(),
  dataSourceId: z.string(),
  sourceDocId: z.string(),
  chunkIndex: z.number().int(),
  text: z.string(),
  metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});

/** The content validated (400 with YAML paths and lines) and its name checked against the route's. */
function checkedContent(content: string, name: string) {
  const parsed = parseManifest(content);
  if (!parsed.ok) throw validationFailed(parsed.issues);
  if (parsed.manifest.metadata.name !== name)
    throw validationFailed([{ path: 'metadata.name', message: `must equal the name in the URL (${name})` }]);
  return parsed.manifest;
}

export const manifestRoutes = defineRoutes([
  {
    method: 'get',
    path: '/api/manifests',
    summary: 'The manifest registry: each manifest with its hash, revision and last run',
    tag: 'manifests',
    access: 'viewer',
    responses: { 200: { description: 'the manifests', schema: z.object({ items: z.array(recordSchema) }) } },
    async handler(ctx, deps) {
      ctx.body = { items: await listManifests(deps.sql) };
    },
  },
  {
    method: 'post',
    path: '/api/manifest-validation',
    summary: "Check a manifest's YAML without storing it: the issues with YAML paths and lines",
    tag: 'manifests',
    access: 'viewer',
    body: contentBody,
    responses: {
      200: {
        description: 'valid or not, with the issues',
        schema: z.object({
          valid: z.boolean(),
          issues: z.array(issueSchema),
          hash: z.string().nullable(),
          requiredCapabilities: z.array(z.string()),
          secretRefs: z.array(z.string()),
        }),
      },
    },
    async handler(ctx) {
      const parsed = parseManifest(input<never, never, z.infer<typeof contentBody>>(ctx).body.content);
      ctx.body = parsed.ok
        ? {
            valid: true,
            issues: [],
            hash: manifestHash(parsed.manifest),
            requiredCapabilities: manifestCapabilities(parsed.manifest),
            secretRefs: parsed.secretRefs,
          }
        : { valid: false, issues: parsed.issues, hash: null, requiredCapabilities: [], secretRefs: [] };
    },
  },
  {
    method: 'get',
    path: '/api/manifests/{name}',
    summary: 'A manifest: its content, hash, revision, last run and checkpoint per data source',
    tag: 'manifests',
    access: 'viewer',
    params: nameParams,
    responses: {
      200: {
        description: 'the manifest',
        schema: recordSchema.extend({ content: z.string(), checkpoints: z.array(checkpointSchema) }),
      },
    },
    async handler(ctx, deps) {
      const { name } = input<{ name: string }>(ctx).params;
      const record = await getManifest(deps.sql, name);
      if (!record) throw notFound('manifest');
      ctx.body = { ...record, checkpoints: await listCheckpoints(deps.sql, name) };
    },
  },
  {
    method: 'put',
    path: '/api/manifests/{name}',
    summary: 'Store a manifest (YAML): validated, its name must match; the revision goes up when it changed',
    tag: 'manifests',
    access: 'operator',
    params: nameParams,
    body: contentBody,
    responses: {
      200: { description: 'updated (or unchanged)', schema: recordSchema },
      201: { description: 'created', schema: recordSchema },
    },
    async handler(ctx, deps) {
      const { params, body } = input<{ name: string }, never, z.infer<typeof contentBody>>(ctx);
      const manifest = checkedContent(body.content, params.name);
      const { record, created, changed } = await putManifest(deps.sql, {
        name: params.name,
        content: body.content,
        hash: manifestHash(manifest),
        version: manifest.version,
        updatedBy: user(ctx).name,
      });
      if (changed)
        await audit(deps.sql, user(ctx), 'manifest.put', params.name, {
          hash: record.hash,
          revision: record.revision,
        });
      ctx.status = created ? 201 : 200;
      ctx.body = record;
    },
  },
  {
    method: 'post',
    path: '/api/manifests/{name}/runs',
    summary: 'Run a registry manifest: submits a `manifest` job (source kind registry); returns the job',
    tag: 'manifests',
    access: 'operator',
    rateLimited: true,
    params: nameParams,
    body: z.strictObject({
      action: z.enum(manifestActions).default('run'),
      options: manifestOptionsSchema.default({}),
    }),
    responses: { 201: { description: 'the job', schema: jobViewSchema } },
    async handler(ctx, deps) {
      const { params, body } = input<
        { name: string },
        never,
        { action: string; options: Record<string, unknown> }
      >(ctx);
      if (!(await getManifest(deps.sql, params.name))) throw notFound('manifest');
      const { view } = await submitJob(
        deps,
        user(ctx),
        {
          type: 'manifest',
          payload: {
            manifest: {
              name: params.name,
              action: body.action,
              source: { kind: 'registry', name: params.name },
              options: body.options,
            },
          },
        },
        null,
      );
      await audit(deps.sql, user(ctx), 'job.submit', view.id, { manifest: params.name, action: body.action });
      ctx.status = 201;
      ctx.body = view;
    },
  },
  {
    method: 'post',
    path: '/api/manifests/{name}/search',
    conflict: 'no run has created the index yet',
    summary: "Search a manifest's index: the query embedded with its embedding settings; chunks with scores",
    tag: 'manifests',
    access: 'operator',
    rateLimited: true,
    params: nameParams,
    body: manifestSearchRequestSchema,
    responses: { 200: { description: 'best first', schema: z.object({ items: z.array(hitSchema) }) } },
    async handler(ctx, deps) {
      const { params, body } = input<{ name: string }, never, z.infer<typeof manifestSearchRequestSchema>>(
        ctx,
      );
      ctx.body = await searchRegistryManifest(deps, params.name, body);
    },
  },
]);
