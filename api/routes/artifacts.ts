import { z } from 'zod';
import { artifactBytes } from '../../lib/metrics/control-plane.ts';
import { artifactItems, sendArtifact } from '../artifacts/download.ts';
import {
  artifactNameError,
  artifactNameFromPath,
  artifactNamePattern,
  ingestArtifact,
} from '../artifacts/ingest.ts';
import { HttpError, validationFailed } from '../errors.ts';
import { uuidParam } from '../ids.ts';
import { artifactSchema } from '../schemas.ts';
import { existingJob, jobInWorkerScope } from './job-access.ts';
import { jobParams } from './queue.ts';
import { defineRoutes, input } from './table.ts';

const downloadUrl = (jobId: string, id: string) => `/api/queue/jobs/${jobId}/artifacts/${id}/download`;

export const artifactRoutes = defineRoutes([
  {
    method: 'get',
    path: '/api/queue/jobs/{jobId}/artifacts',
    summary: "A job's artifacts",
    tag: 'artifacts',
    access: 'viewer',
    params: jobParams,
    responses: { 200: { description: 'artifacts', schema: z.object({ items: z.array(artifactSchema) }) } },
    async handler(ctx, deps) {
      const { jobId } = input(ctx).params;
      await existingJob(deps, jobId);
      ctx.body = { items: await artifactItems(deps, jobId, (id) => downloadUrl(jobId, id)) };
    },
  },
  {
    method: 'get',
    path: '/api/queue/jobs/{jobId}/artifacts/{artifactId}/download',
    summary: 'Download an artifact (streamed, as an attachment)',
    tag: 'artifacts',
    access: 'viewer',
    params: jobParams.extend({ artifactId: uuidParam('an artifact id') }),
    responses: {
      200: { description: "the artifact bytes, with the artifact's own Content-Type", contentType: '*/*' },
    },
    async handler(ctx, deps) {
      const { jobId, artifactId } = input(ctx).params;
      await existingJob(deps, jobId);
      await sendArtifact(ctx, deps, jobId, artifactId);
    },
  },
  {
    method: 'put',
    path: '/api/worker/jobs/{jobId}/artifacts/{name}',
    routerPath: '/api/worker/jobs/:jobId/artifacts/*name',
    summary: 'Upload an artifact (raw streamed body; its Content-Type is kept; same name replaces)',
    tag: 'worker',
    access: 'worker',
    // The handler checks the name (decoded from the raw path, see artifactNameFromPath); the document says how.
    params: jobParams.extend({
      name: z
        .string()
        .describe('path-like name, e.g. logs/execute.log')
        .meta({ override: { minLength: 1, maxLength: 300, pattern: artifactNamePattern } }),
    }),
    rawBody: { description: 'the artifact bytes' },
    responses: { 201: { description: 'stored', schema: artifactSchema } },
    async handler(ctx, deps) {
      const { jobId } = input(ctx).params;
      const name = artifactNameFromPath(ctx.path);
      const problem = name === null ? 'is not valid percent-encoding' : artifactNameError(name);
      if (problem) throw validationFailed([{ path: 'name', message: problem }]);
      await jobInWorkerScope(ctx, deps, jobId);
      const max = deps.config.MOONMIND_MAX_ARTIFACT_BYTES;
      if (Number(ctx.get('content-length') || 0) > max) {
        throw new HttpError('payload_too_large', `artifacts are limited to ${max} bytes`);
      }
      const contentType = (ctx.get('content-type') || 'application/octet-stream').slice(0, 200);
      const row = await ingestArtifact(
        { sql: deps.sql, artifacts: deps.artifacts, maxBytes: max },
        jobId,
        name as string,
        contentType,
        ctx.req,
      );
      artifactBytes.inc(row.size);
      ctx.status = 201;
      ctx.body = { ...row, downloadUrl: downloadUrl(jobId, row.id) };
    },
  },
]);
