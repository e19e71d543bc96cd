import { z } from 'zod';

/**
 * Task proposals (shared/spec/05-proposals.md): follow-up work suggested by runs and people, triaged by
 * humans, promoted into real runs. One definition for the API (validation, OpenAPI), the worker's
 * submission of what an agent proposed, and the dashboard's inbox and forms.
 */

export const proposalStatuses = ['open', 'promoted', 'dismissed', 'accepted', 'rejected'] as const;
export type ProposalStatus = (typeof proposalStatuses)[number];
/** The decisions an open proposal can take; `promoted` is final and repeatable (same job). */
export const proposalDecisions = ['dismiss', 'accept', 'reject'] as const;
export const proposalCategories = [
  'general',
  'security',
  'performance',
  'refactor',
  'feature',
  'tests',
  'docs',
  'reliability',
] as const;
export const originSources = ['queue', 'orchestrator', 'workflow', 'manual'] as const;

/** Field limits (the API answers 400 naming the field past them; a body past 1 MB is a 413). */
export const PROPOSAL_LIMITS = { title: 256, summary: 50_000, note: 2_000, tags: 20, tag: 50 } as const;

export const proposalOriginSchema = z.object({
  source: z.enum(originSources),
  /** The job, orchestrator run or workflow the proposal came from. */
  id: z.string().trim().min(1).max(200).nullable().default(null),
  /** Branch, PR URL, artifact hints. */
  metadata: z.record(z.string(), z.unknown()).default({}),
});

/** `POST /api/proposals`: `taskCreateRequest` is a job envelope validated like a submission. */
export const proposalCreateSchema = z.object({
  title: z.string().trim().min(1).max(PROPOSAL_LIMITS.title),
  summary: z.string().max(PROPOSAL_LIMITS.summary).default(''),
  category: z.enum(proposalCategories).default('general'),
  tags: z
    .array(z.string().trim().min(1).max(PROPOSAL_LIMITS.tag))
    .max(PROPOSAL_LIMITS.tags)
    .default([])
    .transform((tags) => [...new Set(tags.map((t) => t.toLowerCase()))]),
  origin: proposalOriginSchema.default({ source: 'manual', id: null, metadata: {} }),
  taskCreateRequest: z.record(z.string(), z.unknown()),
  priority: z.number().int().min(-100).max(100).default(0),
});
export type ProposalCreate = z.infer<typeof proposalCreateSchema>;

/** What the detail page shows of the job a promotion would start. */
export const taskPreviewSchema = z.object({
  repository: z.string(),
  runtime: z.string(),
  publishMode: z.string(),
  steps: z.array(
    z.object({ id: z.string(), title: z.string().nullable(), instructions: z.string().nullable() }),
  ),
});

export const proposalDecisionRecordSchema = z.object({
  action: z.enum([
    'create',
    'promote',
    'dismiss',
    'accept',
    'reject',
    'priority',
    'snooze',
    'unsnooze',
    'edit',
  ]),
  actor: z.string(),
  note: z.string().nullable(),
  at: z.string(),
});

export const proposalSchema = z.object({
  id: z.uuid(),
  status: z.enum(proposalStatuses),
  title: z.string(),
  summary: z.string(),
  category: z.enum(proposalCategories),
  tags: z.array(z.string()),
  repository: z.string(),
  proposedByWorkerId: z.string().nullable(),
  proposedByUserId: z.string().nullable(),
  origin: proposalOriginSchema,
  taskCreateRequest: z.record(z.string(), z.unknown()),
  promotedJobId: z.uuid().nullable(),
  promotedAt: z.string().nullable(),
  promotedByUserId: z.string().nullable(),
  decidedByUserId: z.string().nullable(),
  decisionNote: z.string().nullable(),
  priority: z.number().int(),
  snoozedUntil: z.string().nullable(),
  dedupKey: z.string(),
  /** Optimistic lock: a decision names the version it saw (`expectedVersion`); a stale one is a 409. */
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Proposal = z.infer<typeof proposalSchema>;

export const proposalDetailSchema = proposalSchema.extend({
  preview: taskPreviewSchema,
  similar: z.array(proposalSchema.pick({ id: true, title: true, status: true, repository: true })),
  history: z.array(proposalDecisionRecordSchema),
});

export const proposalListQuerySchema = z.object({
  status: z.enum(proposalStatuses).optional(),
  category: z.enum(proposalCategories).optional(),
  repository: z.string().trim().min(1).max(300).optional(),
  originSource: z.enum(originSources).optional(),
  tag: z.string().trim().min(1).max(PROPOSAL_LIMITS.tag).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  includeSnoozed: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});

export const proposalListSchema = z.object({
  items: z.array(proposalSchema),
  nextCursor: z.string().nullable(),
  counts: z.record(z.enum(proposalStatuses), z.number().int()),
});

const expectedVersion = z.number().int().min(0).optional();

export const promoteSchema = z.object({
  expectedVersion,
  priority: z.number().int().min(-100).max(100).optional(),
  maxAttempts: z.number().int().min(1).max(10).optional(),
  /** Edit-then-promote: a full job envelope replacing the stored one, validated like a submission. */
  taskCreateRequestOverride: z.record(z.string(), z.unknown()).optional(),
});
export const decisionSchema = z.object({
  expectedVersion,
  note: z.string().trim().max(PROPOSAL_LIMITS.note).optional(),
});
export const prioritySchema = z.object({ expectedVersion, priority: z.number().int().min(-100).max(100) });
export const snoozeSchema = z.object({ expectedVersion, until: z.iso.datetime({ offset: true }) });

/** Bulk actions on a selection: each item answered on its own (never an empty selection). */
export const bulkSchema = z.object({
  action: z.enum(['promote', 'dismiss', 'snooze']),
  ids: z.array(z.uuid()).min(1, 'select at least one proposal').max(200),
  note: z.string().trim().max(PROPOSAL_LIMITS.note).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
});
export const bulkResultSchema = z.object({
  results: z.array(
    z.object({
      id: z.uuid(),
      ok: z.boolean(),
      status: z.number().int(),
      jobId: z.uuid().nullable(),
      error: z.string().nullable(),
    }),
  ),
});

/**
 * What an agent writes for the worker to submit after a run: `.moonmind/proposals.json` in the repository,
 * a JSON array (at most 10 items). `repository` defaults to the run's; the starting branch to the run's
 * branch when it produced one.
 */
export const AGENT_PROPOSALS_FILE = '.moonmind/proposals.json';
export const agentProposalSchema = z.object({
  title: z.string().trim().min(1).max(PROPOSAL_LIMITS.title),
  summary: z.string().max(PROPOSAL_LIMITS.summary).default(''),
  category: z.enum(proposalCategories).default('general'),
  tags: z.array(z.string().trim().min(1).max(PROPOSAL_LIMITS.tag)).max(PROPOSAL_LIMITS.tags).default([]),
  /** The follow-up task's instructions (becomes the proposal's job envelope). */
  instructions: z.string().min(1).max(100_000),
  repository: z.string().trim().min(1).max(300).optional(),
});
export const agentProposalsFileSchema = z.array(agentProposalSchema).max(10);

/** Dedup key: repository plus the title lowercased, punctuation dropped, spaces collapsed. */
export function proposalDedupKey(repository: string, title: string): string {
  const normalized = title
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  return `${repository.toLowerCase()}::${normalized}`;
}
