import { z } from 'zod';
import { stepForbiddenKeys } from './task.ts';

/**
 * Task presets (shared/spec/06-presets.md): the step-template catalog's contract, defined once for the API
 * (validation and OpenAPI), the expansion, the seed files and the dashboard's drawer and forms.
 */

export const templateScopes = ['global', 'team', 'personal'] as const;
export type TemplateScope = (typeof templateScopes)[number];

export const templateInputTypes = [
  'text',
  'textarea',
  'markdown',
  'enum',
  'boolean',
  'user',
  'team',
  'repo_path',
] as const;
export type TemplateInputType = (typeof templateInputTypes)[number];

/** A slug: lowercase words joined by dashes (unique within its scope and owner). */
export const templateSlugSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, at most 63')
  // The save-from-task route's own path segment.
  .refine((s) => s !== 'save-from-task', 'is reserved');

/** Semver `MAJOR.MINOR.PATCH` (no pre-release or build parts: a released version is final). */
export const semverSchema = z
  .string()
  .regex(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/, 'must be semver, e.g. 1.0.0');

export const templateInputSchema = z
  .object({
    name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,62}$/, 'letters, digits and underscores'),
    label: z.string().trim().min(1).max(200),
    type: z.enum(templateInputTypes),
    required: z.boolean().default(false),
    default: z
      .union([z.string().max(10_000), z.boolean()])
      .nullable()
      .default(null),
    /** The allowed values of an `enum` input. */
    options: z.array(z.string().min(1).max(200)).max(100).default([]),
  })
  .superRefine((input, ctx) => {
    if (input.type === 'enum' && input.options.length === 0)
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'an enum input needs options' });
    if (input.type === 'enum' && typeof input.default === 'string' && !input.options.includes(input.default))
      ctx.addIssue({ code: 'custom', path: ['default'], message: 'must be one of the options' });
  });
export type TemplateInput = z.infer<typeof templateInputSchema>;

/** A template step: only title, instructions, skill and UI-only annotations (task-level keys are refused). */
export const templateStepSchema = z
  .object({
    title: z.string().trim().max(200).nullable().default(null),
    instructions: z.string().max(100_000).nullable().default(null),
    skill: z
      .object({ id: z.string().trim().min(1).max(128), args: z.record(z.string(), z.unknown()).default({}) })
      .nullable()
      .default(null),
    annotations: z.record(z.string(), z.unknown()).default({}),
  })
  .strict()
  .superRefine((step, ctx) => {
    if (!step.instructions?.trim() && !step.skill)
      ctx.addIssue({
        code: 'custom',
        path: ['instructions'],
        message: 'a step needs instructions or a skill',
      });
  });
export type TemplateStep = z.infer<typeof templateStepSchema>;

/** What a client sends to create a template (or a new version of one). */
export const templateBodySchema = z.object({
  slug: templateSlugSchema,
  version: semverSchema.default('1.0.0'),
  scope: z.enum(templateScopes),
  /** The team of a `team` template. */
  team: z.string().trim().min(1).max(100).nullable().default(null),
  title: z.string().trim().min(1).max(200),
  description: z.string().max(10_000).default(''),
  inputs: z.array(templateInputSchema).max(50).default([]),
  steps: z.array(templateStepSchema).min(1).max(100),
  tags: z.array(z.string().trim().min(1).max(50)).max(20).default([]),
  requiredCapabilities: z.array(z.string().trim().min(1).max(64)).max(20).default([]),
  isActive: z.boolean().default(true),
});
export type TemplateBody = z.infer<typeof templateBodySchema>;

/** A template version as the API returns it. */
export const templateSchema = templateBodySchema.extend({
  owner: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().nullable(),
  favorite: z.boolean(),
  lastUsedAt: z.string().nullable(),
});
export type Template = z.infer<typeof templateSchema>;

export const templateListQuerySchema = z.object({
  scope: z.enum(templateScopes).optional(),
  tag: z.string().trim().min(1).max(50).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  favorites: z.enum(['true', 'false']).optional(),
  /** The catalog is read a page at a time (latest version of each template, favorites first). */
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const templateListSchema = z.object({ items: z.array(templateSchema), total: z.number().int() });

/**
 * Which template a slug names when several scopes hold it: the most specific one the caller can see
 * (personal, then team, then global) unless the query says.
 */
export const templateRefQuerySchema = z.object({
  scope: z.enum(templateScopes).optional(),
  team: z.string().trim().min(1).max(100).optional(),
});

/** `GET /api/task-step-templates/{slug}`: the latest version, plus every version released. */
export const templateDetailSchema = templateSchema.extend({ versions: z.array(semverSchema) });

/** What `{{context.*}}` may name: the server fills these, never the client. */
export const templateContextKeys = ['repository', 'defaultBranch', 'objective', 'requester'] as const;

/** `POST /api/task-step-templates/{slug}:expand`: the context is the server's, never the client's. */
export const expandRequestSchema = z.object({
  version: semverSchema.optional(),
  inputs: z.record(z.string(), z.union([z.string().max(100_000), z.boolean()])).default({}),
  /** The form's repository and objective: the server resolves the context from them. */
  repository: z.string().trim().min(1).max(300).optional(),
  instructions: z.string().max(100_000).optional(),
});

export const appliedTemplateRecordSchema = z.object({
  slug: templateSlugSchema,
  version: semverSchema,
  inputs: z.record(z.string(), z.union([z.string(), z.boolean()])),
  stepIds: z.array(z.string()),
  appliedAt: z.string(),
  requiredCapabilities: z.array(z.string()).optional(),
});

export const expandResultSchema = z.object({
  steps: z.array(
    z.object({
      id: z.string(),
      title: z.string().nullable(),
      instructions: z.string().nullable(),
      skill: z.object({ id: z.string(), args: z.record(z.string(), z.unknown()) }).nullable(),
    }),
  ),
  appliedTemplate: appliedTemplateRecordSchema,
  requiredCapabilities: z.array(z.string()),
  warnings: z.array(z.string()),
});
export type ExpandResult = z.infer<typeof expandResultSchema>;

/** `POST /api/task-step-templates/save-from-task`: selected steps of a job (or of the form). */
export const saveFromTaskSchema = z
  .object({
    slug: templateSlugSchema,
    title: z.string().trim().min(1).max(200),
    description: z.string().max(10_000).default(''),
    jobId: z.uuid().optional(),
    /** Indexes into the job's steps (with `jobId`). */
    stepIndexes: z.array(z.number().int().min(0).max(99)).max(100).optional(),
    /** The form's steps (without `jobId`). */
    steps: z.array(z.record(z.string(), z.unknown())).max(100).optional(),
  })
  .refine((b) => (b.jobId ? !!b.stepIndexes?.length : !!b.steps?.length), {
    message: 'give jobId with stepIndexes, or steps',
    path: ['steps'],
  });

/** Step keys a template may not carry (task-level ones and ids, which expansion assigns). */
export const templateForbiddenStepKeys = [...stepForbiddenKeys, 'id'];

/** Expansion's step id: deterministic for a template version and position. */
export const templateStepId = (slug: string, version: string, index: number) =>
  `tpl:${slug}:${version}:${index}`;
