import type { OrchestratorPlan, OrchestratorRunState, OrchestratorStep } from './orchestrator-run.ts';

/**
 * The `orchestratorRun` activities' inputs and results (types only: the workflow bundle imports them).
 * `claimService` runs on the chosen pool's queue; the steps then run on the claiming host's own queue,
 * where the run's workspace (`<MOONMIND_WORKSPACE_DIR>/.orchestrator/<runId>`) lives between them.
 */
export interface ServiceClaimInput {
  runId: string;
  service: string;
  /** A retried run's stored plan: the host says which protected files it touches. */
  plan: OrchestratorPlan | null;
}
export interface ServiceClaim {
  hostId: string;
  hostQueue: string;
  /** The profile says the service is protected (an approval is needed before any patch). */
  protected: boolean;
  /** Protected files (compose file, secrets) the plan names, when the profile lets approved runs edit them. */
  protectedFiles: string[];
}

export interface StepInput {
  runId: string;
  service: string;
  instruction: string;
  plan: OrchestratorPlan | null;
}

export interface AnalyzeResult {
  plan: OrchestratorPlan;
  protectedFiles: string[];
  detail: string;
}

export interface PatchInput extends StepInput {
  plan: OrchestratorPlan;
  /** An approved run of a profile with allowProtectedFiles may change protected files. */
  approved: boolean;
}
export interface PatchResult {
  /** Files changed in the service root (relative paths). */
  changed: string[];
  /** Changes outside the allow-list: not applied (the service's files are as they were). */
  violations: string[];
  detail: string;
}

/** build / restart / verify: the step's one-line outcome; a failed step throws with its detail. */
export interface ServiceStepResult {
  ok: boolean;
  detail: string;
}

export interface RollbackInput extends StepInput {
  /** Why the rollback runs (the failed step's detail, or the cancel). */
  reason: string;
  /** The service steps that ran since the patch was applied: what must be undone (rebuild, restart, verify). */
  reached: OrchestratorStep[];
}

/** After verify succeeded: commit the applied files on a new branch, push it, and for `pr` open a pull request. */
export interface PublishServiceInput extends StepInput {
  plan: OrchestratorPlan;
  mode: 'branch' | 'pr';
  /** The files the patch changed in the service root (what the commit holds, nothing else). */
  files: string[];
}
export interface PublishServiceResult {
  branch: string;
  commit: string;
  prUrl: string | null;
  detail: string;
}

export interface FinishInput {
  runId: string;
  service: string;
}

/** Control-plane activity: the run's state into `orchestrator_runs` (db/orchestrator-runs.ts recordState). */
export type RecordOrchestratorStateInput = OrchestratorRunState;
