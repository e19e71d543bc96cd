import { z } from 'zod/mini';
import type { PublishMode } from './task.ts';

/**
 * Orchestrator runs (shared/spec/08-orchestrator.md): the workflow-safe half of the contract (zod/mini keeps
 * the workflow bundle small). Statuses, steps, the typed plan, the run's state and its one control signal.
 * The API's request bodies are in orchestrator.ts.
 */
export const orchestratorStatuses = [
  'pending',
  'running',
  'awaiting_approval',
  'succeeded',
  'failed',
  'rolled_back',
] as const;
export type OrchestratorStatus = (typeof orchestratorStatuses)[number];
export const orchestratorTerminal: readonly OrchestratorStatus[] = ['succeeded', 'failed', 'rolled_back'];
export const isOrchestratorTerminal = (s: string) => (orchestratorTerminal as readonly string[]).includes(s);
export const orchestratorStatusLabels: Record<OrchestratorStatus, string> = {
  pending: 'Pending',
  running: 'Running',
  awaiting_approval: 'Awaiting approval',
  succeeded: 'Succeeded',
  failed: 'Failed',
  rolled_back: 'Rolled back',
};

/** The plan's steps in run order; `rollback` runs only after a failed build, restart or verify. */
export const orchestratorSteps = ['analyze', 'patch', 'build', 'restart', 'verify', 'rollback'] as const;
export type OrchestratorStep = (typeof orchestratorSteps)[number];
export const stepOutcomes = ['pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'] as const;
export type StepOutcome = (typeof stepOutcomes)[number];
/** The artifact each step keeps (analyze keeps the plan, patch the diff). */
export const stepArtifacts: Record<OrchestratorStep, string> = {
  analyze: 'plan.json',
  patch: 'patch.diff',
  build: 'build.log',
  restart: 'restart.log',
  verify: 'verify.log',
  rollback: 'rollback.log',
};

export const orchestratorPriorities = ['normal', 'high'] as const;
export type OrchestratorPriority = (typeof orchestratorPriorities)[number];
/** Temporal's priority key (1 runs first): a `high` run overtakes `normal` ones waiting for the same pool. */
export const orchestratorPriorityKey = (p: OrchestratorPriority) => (p === 'high' ? 1 : 3);
/** MoonMindPriority (an Int, like task priorities): high sorts above normal. */
export const orchestratorPriorityValue = (p: OrchestratorPriority) => (p === 'high' ? 1 : 0);

/** Who approved a protected run, recorded on the plan. */
export const approvalSchema = z.object({
  actor: z.string().check(z.minLength(1), z.maxLength(200)),
  at: z.string(),
  /** The service's approval token was presented and matched (checked by the API; the token never travels). */
  tokenVerified: z.boolean(),
  /** Approved with the submission (a valid approvalToken on POST /orchestrator/runs). */
  atSubmission: z.optional(z.boolean()),
});
export type Approval = z.infer<typeof approvalSchema>;

/** The typed action plan the analyze step's agent returns (validated before it is used). */
export const planSchema = z.object({
  targetService: z.string().check(z.minLength(1), z.maxLength(100)),
  healthUrl: z.nullable(z.string().check(z.maxLength(2000))),
  composeProject: z.nullable(z.string().check(z.maxLength(200))),
  steps: z.array(
    z.object({
      name: z.enum(orchestratorSteps),
      description: z.string().check(z.maxLength(2000)),
    }),
  ),
  /** Paths (relative to the service's files root) the agent means to touch. */
  files: z.array(z.string().check(z.minLength(1), z.maxLength(500))).check(z.maxLength(200)),
  rationale: z.string().check(z.maxLength(10_000)),
  approval: z.optional(z.nullable(approvalSchema)),
});
export type OrchestratorPlan = z.infer<typeof planSchema>;

export interface StepRecord {
  name: OrchestratorStep;
  outcome: StepOutcome;
  startedAt: string | null;
  finishedAt: string | null;
  /** One line for people: what happened ("exit 0 in 1.2 s", "health 200 after 3 probes", the error). */
  detail: string | null;
}

/** The `state` query's answer; the API's run view and the orchestrator_runs row follow it. */
export interface OrchestratorRunState {
  runId: string;
  status: OrchestratorStatus;
  targetService: string;
  instruction: string;
  priority: OrchestratorPriority;
  plan: OrchestratorPlan | null;
  steps: StepRecord[];
  /** Why the run rolled back (the failed step's detail). */
  rollbackReason: string | null;
  error: string | null;
  host: string | null;
  waitingReason: string | null;
  cancelRequestedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** The run this one retries (its plan is reused; analyze is skipped). */
  retryOf: string | null;
  /** What happens to a verified fix: none, a branch pushed, or a pull request. */
  publishMode: PublishMode;
  /** The branch the fix was pushed to, and its pull request. */
  branch: string | null;
  prUrl: string | null;
  /** Why publishing failed (the run still succeeded: the fix is live and verified). */
  publishError: string | null;
}

/** Operator controls on an orchestrator run: one signal, like a task run's `control`. */
export const orchestratorActions = ['approve', 'cancel'] as const;
export type OrchestratorAction = (typeof orchestratorActions)[number];
export const orchestratorControlSchema = z.object({
  requestId: z.string().check(z.minLength(1), z.maxLength(200)),
  actor: z.string().check(z.minLength(1), z.maxLength(200)),
  action: z.enum(orchestratorActions),
  /** approve: the API checked the presented token against the service's (the token itself never travels). */
  tokenVerified: z.optional(z.boolean()),
  /** approve: the service requires its approval token. */
  tokenRequired: z.optional(z.boolean()),
  reason: z.optional(z.string().check(z.maxLength(2000))),
});
export type OrchestratorControl = z.infer<typeof orchestratorControlSchema>;

/**
 * The one copy of the control rules: why a request is ignored in a state, or null when it applies. The
 * workflow decides with it; the API answers with the workflow's verdict; the dashboard disables buttons.
 * Approving an already approved run is idempotent (accepted, changes nothing).
 */
export function orchestratorRefusal(
  state: Pick<OrchestratorRunState, 'status' | 'cancelRequestedAt' | 'plan'>,
  request: Pick<OrchestratorControl, 'action' | 'tokenVerified' | 'tokenRequired'>,
): string | null {
  if (isOrchestratorTerminal(state.status)) return `the run is ${state.status.replace('_', ' ')}`;
  if (request.action === 'cancel') return state.cancelRequestedAt ? 'a cancel was already requested' : null;
  if (state.plan?.approval) return null;
  if (state.status !== 'awaiting_approval') return 'the run is not awaiting approval';
  if (request.tokenRequired && !request.tokenVerified) return 'the approval token is missing or wrong';
  return null;
}

/** What the workflow decided about one control request (`controlVerdict` query, by request id). */
export interface OrchestratorVerdict {
  requestId: string;
  action: OrchestratorAction;
  accepted: boolean;
  reason: string | null;
}

/** Workflow id ↔ run id, readable in the Temporal Web UI next to `job-…`. */
export const orchestratorWorkflowId = (runId: string) => `orchestrator-${runId}`;
export const runIdFrom = (workflowId: string) =>
  workflowId.startsWith('orchestrator-') ? workflowId.slice('orchestrator-'.length) : null;
/** The job type workers claim for orchestrator runs (MOONMIND_WORKER_JOB_TYPES) and the capability they need. */
export const ORCHESTRATOR_JOB_TYPE = 'orchestrator';
