import { defineQuery, defineSignal } from '@temporalio/workflow';
import type {
  OrchestratorControl,
  OrchestratorRunState,
  OrchestratorVerdict,
} from '../../contracts/orchestrator-run.ts';

/**
 * The `orchestratorRun` messages: the API, workers and tests import these typed definitions. People send the
 * same `control` JSON (`{"requestId","actor","action":"approve"|"cancel"}`) from the Temporal CLI and Web UI;
 * the workflow validates it with orchestratorControlSchema.
 */
export const orchestratorControlSignal = defineSignal<[OrchestratorControl]>('control');
export const orchestratorVerdictQuery = defineQuery<OrchestratorVerdict | null, [string]>('controlVerdict');
export const orchestratorStateQuery = defineQuery<OrchestratorRunState>('state');
