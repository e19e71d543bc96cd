import { z } from 'zod';
import { openApiDocument } from '../openapi.ts';
import { adminRoutes } from './admin.ts';
import { artifactRoutes } from './artifacts.ts';
import { authRoutes } from './auth.ts';
import { eventRoutes } from './events.ts';
import { healthRoutes } from './health.ts';
import { liveSessionRoutes } from './live-session.ts';
import { manifestRoutes } from './manifests.ts';
import { orchestratorRoutes } from './orchestrator.ts';
import { presetRoutes } from './presets.ts';
import { proposalRoutes } from './proposals.ts';
import { queueRoutes } from './queue.ts';
import { scheduleRoutes } from './schedules.ts';
import type { RouteDef } from './table.ts';
import { taskRoutes } from './tasks.ts';
import { teamRoutes } from './teams.ts';
import { workerRoutes } from './worker.ts';

/** Every route of the API: the router and the OpenAPI document are both built from this list. */
export const routes: RouteDef[] = [
  ...healthRoutes,
  ...authRoutes,
  ...taskRoutes,
  ...presetRoutes,
  ...proposalRoutes,
  ...queueRoutes,
  ...liveSessionRoutes,
  ...manifestRoutes,
  ...scheduleRoutes,
  ...eventRoutes,
  ...artifactRoutes,
  ...orchestratorRoutes,
  ...adminRoutes,
  ...teamRoutes,
  ...workerRoutes,
];

let document: Record<string, unknown> | undefined;
routes.push({
  method: 'get',
  path: '/api/openapi.json',
  summary: 'This OpenAPI 3.1 document',
  tag: 'meta',
  access: 'public',
  responses: { 200: { description: 'the document', schema: z.record(z.string(), z.unknown()) } },
  async handler(ctx) {
    document ??= openApiDocument(routes);
    ctx.body = document;
  },
});
