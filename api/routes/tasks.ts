import { z } from 'zod';
import { parseEnv, workerConfigSchema } from '../../contracts/config.ts';
import { fleetMarks, fleetSchema } from '../../contracts/fleet.ts';
import { publishModes, runtimes } from '../../contracts/task.ts';
import { uiBaseOf } from '../jobs/detail.ts';
import { poolViews } from '../pools.ts';
import { skillSchema } from '../schemas.ts';
import { defineRoutes, input } from './table.ts';

const runtimeDefaults = z.object({ model: z.string(), effort: z.string() });
const modelSettings = workerConfigSchema.pick({
  MOONMIND_CODEX_MODEL: true,
  MOONMIND_GEMINI_MODEL: true,
  MOONMIND_CLAUDE_MODEL: true,
  MOONMIND_DEFAULT_EFFORT: true,
});

export const taskRoutes = defineRoutes([
  {
    method: 'get',
    path: '/api/tasks/defaults',
    summary: 'Defaults the submit form starts from',
    tag: 'tasks',
    access: 'viewer',
    responses: {
      200: {
        description: 'defaults',
        schema: z.object({
          defaultRuntime: z.enum(runtimes),
          runtimes: z.record(z.string(), runtimeDefaults),
          defaultRepository: z.string().nullable(),
          publishModes: z.array(z.enum(publishModes)),
          defaultPublishMode: z.enum(publishModes),
          temporalUiUrl: z.string(),
        }),
      },
    },
    async handler(ctx, deps) {
      // Model defaults are the workers' settings (same variables, same defaults) so the form shows what runs.
      const w = parseEnv(modelSettings);
      const effort = w.MOONMIND_DEFAULT_EFFORT;
      ctx.body = {
        defaultRuntime: deps.config.MOONMIND_DEFAULT_RUNTIME,
        runtimes: {
          codex: { model: w.MOONMIND_CODEX_MODEL, effort },
          gemini: { model: w.MOONMIND_GEMINI_MODEL, effort },
          claude: { model: w.MOONMIND_CLAUDE_MODEL, effort },
          demo: { model: 'scripted', effort },
        },
        defaultRepository: deps.config.MOONMIND_DEFAULT_REPOSITORY ?? null,
        publishModes: ['pr', 'branch', 'none'],
        defaultPublishMode: deps.config.MOONMIND_DEFAULT_PUBLISH_MODE,
        temporalUiUrl: uiBaseOf(deps.config),
      };
    },
  },
  {
    method: 'get',
    path: '/api/tasks/fleet',
    summary:
      'What the live workers serve: each runtime, publish mode and skill marked served or not, with the reason',
    tag: 'tasks',
    access: 'viewer',
    query: z.object({ repository: z.string().trim().min(1).max(300).optional() }),
    responses: { 200: { description: 'the live pools and the marked choices', schema: fleetSchema } },
    async handler(ctx, deps) {
      const { repository } = input<never, { repository?: string }>(ctx).query;
      const pools = (await poolViews(deps.sql, deps.client))
        .filter((p) => p.live)
        .map(({ pool, capabilities, jobTypes, repositories }) => ({
          pool,
          capabilities,
          jobTypes,
          repositories,
        }));
      const skills = await deps.skills.list();
      ctx.body = { repository: repository ?? null, pools, ...fleetMarks(pools, repository ?? null, skills) };
    },
  },
  {
    method: 'get',
    path: '/api/tasks/skills',
    summary: 'Skills a task or step can name',
    tag: 'tasks',
    access: 'viewer',
    responses: { 200: { description: 'skills', schema: z.object({ items: z.array(skillSchema) }) } },
    async handler(ctx, deps) {
      ctx.body = { items: await deps.skills.list() };
    },
  },
]);
