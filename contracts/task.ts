import { z } from 'zod';
import { type Forges, isSecretReference, locateRepository, repositoryShapeError } from './repository.ts';
import { containsSecret, findSecretPaths } from './secrets.ts';

/**
 * The job envelope and canonical task payload (shared/spec/01-task-contract.md), defined once.
 * `normalizeJob` is the server-side source of truth: defaults filled, capabilities derived, every rule
 * checked, every error carrying the path of the offending field.
 */
/** `demo` is the scripted agent of the first-run demo (activities/runtimes/demo-agent.mjs): no model. */
export const runtimes = ['codex', 'gemini', 'claude', 'demo'] as const;
export const publishModes = ['none', 'branch', 'pr'] as const;
export const jobTypes = ['task', 'manifest'] as const;
export const efforts = ['low', 'medium', 'high'] as const;
export type Runtime = (typeof runtimes)[number];
/** The runtimes that are real agent CLIs talking to a model. */
export type ModelRuntime = Exclude<Runtime, 'demo'>;
export const modelRuntimes = runtimes.filter((r): r is ModelRuntime => r !== 'demo');
export type PublishMode = (typeof publishModes)[number];

const jsonObject = z.record(z.string(), z.unknown(), { error: 'must be a JSON object' });
const skillSchema = z.object({
  id: z.string().trim().min(1).max(128).default('auto'),
  args: jsonObject.default({}),
  requiredCapabilities: z.array(z.string()).optional(),
});
const authRef = z
  .string()
  .nullable()
  .default(null)
  .refine((v) => v === null || isSecretReference(v), {
    error: `must be a secret reference (vault://mount/path#field, env://NAME, $\{NAME} or profile://name)`,
  });

/** Task-level fields that a step may not carry. */
export const stepForbiddenKeys = [
  'runtime',
  'model',
  'effort',
  'repository',
  'git',
  'branch',
  'startingBranch',
  'newBranch',
  'publish',
  'targetRuntime',
];

const stepSchema = z
  .object({
    id: z.string().trim().min(1).max(128).optional(),
    title: z.string().trim().max(200).nullable().optional(),
    instructions: z.string().nullable().optional(),
    skill: skillSchema.nullable().optional(),
  })
  .passthrough()
  .superRefine((step, ctx) => {
    for (const key of Object.keys(step)) {
      if (stepForbiddenKeys.includes(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `steps may not set ${key}: it is task-level` });
      }
    }
  });

const appliedTemplateSchema = z.object({
  slug: z.string().min(1),
  version: z.string().min(1),
  inputs: jsonObject.default({}),
  stepIds: z.array(z.string()).optional(),
  appliedAt: z.string().optional(),
  requiredCapabilities: z.array(z.string()).optional(),
});

/** The payload of a task job (what `normalizeJob` checks after the envelope). */
export const taskInputSchema = z.object({
  repository: z.string().trim().optional(),
  requiredCapabilities: z.array(z.string()).optional(),
  targetRuntime: z.enum(runtimes).optional(),
  auth: z
    .object({ repoAuthRef: authRef, publishAuthRef: authRef })
    .default({ repoAuthRef: null, publishAuthRef: null }),
  task: z.object({
    /** The job's name in lists; without one, the first line of the instructions. */
    title: z.string().trim().max(200, 'must be at most 200 characters').nullable().optional(),
    instructions: z
      .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
      .trim()
      .min(1, 'is required')
      .max(100_000, 'must be at most 100,000 characters'),
    skill: skillSchema.default({ id: 'auto', args: {} }),
    runtime: z
      .object({
        mode: z.enum(runtimes).optional(),
        model: z.string().trim().min(1).max(200).nullable().default(null),
        effort: z.enum(efforts).nullable().default(null),
      })
      .default({ model: null, effort: null }),
    git: z
      .object({
        startingBranch: z.string().trim().min(1).max(250).nullable().default(null),
        newBranch: z.string().trim().min(1).max(250).nullable().default(null),
      })
      .default({ startingBranch: null, newBranch: null }),
    publish: z
      .object({
        mode: z.enum(publishModes).default('pr'),
        prBaseBranch: z.string().trim().min(1).nullable().default(null),
        commitMessage: z.string().trim().min(1).nullable().default(null),
        prTitle: z.string().trim().min(1).nullable().default(null),
        prBody: z.string().nullable().default(null),
      })
      .default({ mode: 'pr', prBaseBranch: null, commitMessage: null, prTitle: null, prBody: null }),
    steps: z.array(stepSchema).max(50).default([]),
    /** Open a live terminal session as each step starts (a worker with MOONMIND_LIVE_SESSIONS=off ignores it). */
    liveSession: z.boolean().optional(),
    appliedStepTemplates: z.array(appliedTemplateSchema).default([]),
  }),
});

export const jobEnvelopeSchema = z.object({
  type: z.enum(jobTypes),
  payload: z.record(z.string(), z.unknown(), { error: 'must be an object' }),
  priority: z.number().int().min(-1000).max(1000).default(0),
  maxAttempts: z.number().int().min(1).max(10).default(3),
  affinityKey: z.string().trim().min(1).max(200).nullable().default(null),
  clientRequestId: z.string().trim().min(1).max(200).optional(),
});
export type JobEnvelopeInput = z.input<typeof jobEnvelopeSchema>;

export interface NormalizedStep {
  id: string;
  title: string | null;
  instructions: string | null;
  skill: { id: string; args: Record<string, unknown> } | null;
}
export interface TaskPayload {
  repository: string;
  requiredCapabilities: string[];
  targetRuntime: Runtime;
  auth: { repoAuthRef: string | null; publishAuthRef: string | null };
  task: {
    title?: string | null;
    instructions: string;
    skill: { id: string; args: Record<string, unknown> };
    runtime: { mode: Runtime; model: string | null; effort: (typeof efforts)[number] | null };
    git: { startingBranch: string | null; newBranch: string | null };
    publish: {
      mode: PublishMode;
      prBaseBranch: string | null;
      commitMessage: string | null;
      prTitle: string | null;
      prBody: string | null;
    };
    steps: NormalizedStep[];
    appliedStepTemplates: z.infer<typeof appliedTemplateSchema>[];
    /** Present (true) only when the task asked for a live session as each step starts. */
    liveSession?: true;
  };
}
export interface NormalizedJob {
  type: 'task';
  priority: number;
  maxAttempts: number;
  affinityKey: string | null;
  payload: TaskPayload;
}

export interface FieldIssue {
  path: string;
  message: string;
  /** Manifest YAML issues name where in the document (contracts/manifest-parse.ts). */
  line?: number;
  column?: number;
}
export type NormalizeResult = { ok: true; job: NormalizedJob } | { ok: false; issues: FieldIssue[] };

export interface NormalizeContext {
  defaultRuntime: Runtime;
  defaultRepository?: string | null;
  /** The forges this deployment trusts; without them (the dashboard) only the repository's shape is checked. */
  forges?: Forges;
  /** Capabilities a named skill declares (from the skills directory); unknown skills declare none. */
  skillCapabilities?: (skillId: string) => string[];
}

const joinPath = (path: PropertyKey[]) => path.map(String).join('.');
const issuesOf = (error: z.ZodError, prefix: string[] = []): FieldIssue[] =>
  error.issues.map((i) => ({ path: joinPath([...prefix, ...i.path]), message: i.message }));

/** Validate and normalize a submission. Raw credentials anywhere are rejected (paths only, no values). */
export function normalizeJob(input: unknown, ctx: NormalizeContext): NormalizeResult {
  const secretPaths = findSecretPaths(input);
  if (secretPaths.length > 0) {
    return {
      ok: false,
      issues: secretPaths.map((p) => ({
        path: joinPath(p),
        message: 'looks like a raw credential; submit a secret reference instead',
      })),
    };
  }
  const envelope = jobEnvelopeSchema.safeParse(input);
  if (!envelope.success) return { ok: false, issues: issuesOf(envelope.error) };
  if (envelope.data.type !== 'task') {
    return {
      ok: false,
      issues: [{ path: 'type', message: 'only "task" jobs are accepted by this server yet' }],
    };
  }
  const parsed = taskInputSchema.safeParse(envelope.data.payload);
  if (!parsed.success) return { ok: false, issues: issuesOf(parsed.error, ['payload']) };
  const p = parsed.data;
  const issues: FieldIssue[] = [];

  let repository = p.repository || ctx.defaultRepository || '';
  if (!repository)
    issues.push({ path: 'payload.repository', message: 'is required (no default repository is configured)' });
  else if (ctx.forges) {
    const located = locateRepository(repository, ctx.forges);
    if ('error' in located) issues.push({ path: 'payload.repository', message: located.error });
    else repository = located.canonical;
  } else {
    const err = repositoryShapeError(repository);
    if (err) issues.push({ path: 'payload.repository', message: err });
  }
  const mode = p.task.runtime.mode ?? p.targetRuntime ?? ctx.defaultRuntime;
  if (p.targetRuntime && p.task.runtime.mode && p.targetRuntime !== p.task.runtime.mode) {
    issues.push({
      path: 'payload.targetRuntime',
      message: `must agree with task.runtime.mode (${p.task.runtime.mode})`,
    });
  }
  if (issues.length) return { ok: false, issues };

  const steps: NormalizedStep[] = p.task.steps.map((s, i) => ({
    id: s.id ?? `step-${i + 1}`,
    title: s.title ?? null,
    instructions: s.instructions?.trim() ? s.instructions : null,
    skill: s.skill ? { id: s.skill.id, args: s.skill.args } : null,
  }));
  const ids = new Set<string>();
  steps.forEach((s, i) => {
    if (ids.has(s.id))
      issues.push({ path: `payload.task.steps.${i}.id`, message: `duplicate step id ${s.id}` });
    ids.add(s.id);
  });
  if (issues.length) return { ok: false, issues };

  const publish = p.task.publish;
  const payload: TaskPayload = {
    repository,
    requiredCapabilities: [],
    targetRuntime: mode,
    auth: p.auth,
    task: {
      ...(p.task.title ? { title: p.task.title } : {}),
      instructions: p.task.instructions,
      skill: { id: p.task.skill.id, args: p.task.skill.args },
      runtime: { mode, model: p.task.runtime.model, effort: p.task.runtime.effort },
      git: p.task.git,
      publish,
      steps,
      appliedStepTemplates: p.task.appliedStepTemplates,
      ...(p.task.liveSession ? { liveSession: true as const } : {}),
    },
  };
  const declared = [
    ...(p.task.skill.requiredCapabilities ?? []),
    ...p.task.steps.flatMap((s) => s.skill?.requiredCapabilities ?? []),
    ...p.task.appliedStepTemplates.flatMap((t) => t.requiredCapabilities ?? []),
  ];
  payload.requiredCapabilities = deriveCapabilities(payload, declared, ctx);
  return {
    ok: true,
    job: {
      type: 'task',
      priority: envelope.data.priority,
      maxAttempts: envelope.data.maxAttempts,
      affinityKey: envelope.data.affinityKey,
      payload,
    },
  };
}

/** Runtime, git, gh for PRs, plus whatever the named skills and applied templates declare. */
export function deriveCapabilities(
  payload: TaskPayload,
  declared: string[],
  ctx: NormalizeContext,
): string[] {
  const caps = new Set<string>([payload.targetRuntime, 'git', ...declared]);
  if (payload.task.publish.mode === 'pr') caps.add('gh');
  const skills = [payload.task.skill.id, ...payload.task.steps.map((s) => s.skill?.id ?? 'auto')];
  for (const id of skills) if (id !== 'auto') for (const c of ctx.skillCapabilities?.(id) ?? []) caps.add(c);
  return [...caps]
    .map((c) => c.trim().toLowerCase())
    .filter(Boolean)
    .sort();
}

/**
 * One line for the Temporal Web UI and lists: the task's title, else the first line of its instructions (the
 * objective: a step's title names that step, not the job).
 */
export function jobTitle(payload: TaskPayload): string {
  const title = payload.task.title || firstLine(payload.task.instructions);
  return title.length > 90 ? `${title.slice(0, 87)}...` : title;
}
export const firstLine = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .find(Boolean) ?? '';

/** `task/<YYYYMMDD>/<jobId first 8>`: deterministic per job, so a retried attempt reuses it. */
export function generatedBranch(jobId: string, submittedAt: string): string {
  return `task/${submittedAt.slice(0, 10).replaceAll('-', '')}/${jobId.slice(0, 8)}`;
}

export { containsSecret };

/** The steps a run executes: the payload's, or one implicit step that carries the objective alone. */
export function planSteps(payload: TaskPayload): NormalizedStep[] {
  return payload.task.steps.length
    ? payload.task.steps
    : [{ id: 'step-1', title: null, instructions: null, skill: null }];
}
