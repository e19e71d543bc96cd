import { z } from 'zod';
import {
  type Approval,
  type OrchestratorPlan,
  type OrchestratorPriority,
  type OrchestratorRunState,
  orchestratorPriorities,
  orchestratorStatuses,
} from './orchestrator-run.ts';
import { type PublishMode, publishModes } from './task.ts';

/**
 * The orchestrator routes' bodies and views (shared/spec/08-orchestrator.md): one schema each, used by the
 * API (validation, OpenAPI), the CLI and the dashboard's form checks.
 */
export const orchestratorSubmitSchema = z.strictObject({
  instruction: z.string().trim().min(1, 'is required').max(10_000),
  targetService: z
    .string()
    .trim()
    .min(1, 'is required')
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be a service name from the profiles'),
  priority: z.enum(orchestratorPriorities).default('normal'),
  /** For a protected service: approves the run at submission when it matches the service's token. */
  approvalToken: z.string().min(1).max(500).optional(),
  /** After a verified fix: commit the patch's files to a new branch of the service's checkout, or open a PR. */
  publish: z.strictObject({ mode: z.enum(publishModes).default('none') }).default({ mode: 'none' }),
});
export type OrchestratorSubmit = z.infer<typeof orchestratorSubmitSchema>;

export const orchestratorApprovalSchema = z.strictObject({
  /** The service's approval token, when its profile has one. Checked, never stored. */
  token: z.string().min(1).max(500).optional(),
  comment: z.string().max(2000).optional(),
});

export const orchestratorListQuerySchema = z.object({
  status: z.enum(orchestratorStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The `nextCursor` of the previous page. */
  cursor: z.string().max(200).optional(),
});
export type OrchestratorListQuery = z.infer<typeof orchestratorListQuerySchema>;

/** `GET /orchestrator/runs/{runId}`: the run's state plus who submitted it and its artifacts. */
export interface OrchestratorRunView extends OrchestratorRunState {
  submittedBy: string;
  createdAt: string;
  updatedAt: string;
  artifacts: { name: string; size: number; contentType: string; createdAt: string }[];
}
export interface OrchestratorRunList {
  items: OrchestratorRunView[];
  nextCursor: string | null;
}
/** `GET /api/orchestrator/services`: what the new-run form offers (no paths, commands or tokens). */
export interface ServiceSummary {
  name: string;
  runner: 'process' | 'compose';
  protected: boolean;
  requiresToken: boolean;
  healthUrl: string;
}
export type { Approval, OrchestratorPlan, OrchestratorPriority };

/** Workflow start input of `orchestratorRun`. */
export interface OrchestratorRunInput {
  runId: string;
  instruction: string;
  targetService: string;
  priority: OrchestratorPriority;
  submittedBy: { id: string; name: string };
  submittedAt: string;
  /** Approved with the submission (a valid approval token). */
  approval: Approval | null;
  /** Retry: the stored plan of the earlier run (analyze is skipped). */
  retry: { of: string; plan: OrchestratorPlan } | null;
  /** How long a protected run waits for an approval before it fails (MOONMIND_ORCHESTRATOR_APPROVAL_TIMEOUT). */
  approvalTimeoutSeconds: number;
  /** The service profile's runner, read by the API at submission: `compose` also needs a `docker` pool. */
  runner: 'process' | 'compose';
  /** Publish the verified fix (absent in runs started before publishing existed: none). */
  publish?: { mode: PublishMode };
}
