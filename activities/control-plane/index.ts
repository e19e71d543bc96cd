import type { Client } from '@temporalio/client';
import type { FindPoolInput, RecordEventsInput, RequestCancelInput } from '../../contracts/activities.ts';
import type { Sql } from '../../db/client.ts';
import { recordLastRun } from '../../db/manifests.ts';
import { countByStatus } from '../../db/orchestrator-runs.ts';
import { countOrchestratorRunsWith } from '../../lib/metrics/orchestrator.ts';
import type { ControlPlaneActivities } from '../../workflows/activities.ts';
import type { ManifestControlActivities } from '../../workflows/manifest/activities.ts';
import type { OrchestratorControlActivities } from '../../workflows/orchestrator/activities.ts';
import { findPool } from './find-pool.ts';
import { loadManifestCheckpoints, saveManifestCheckpoints } from './manifest-checkpoints.ts';
import { recordOrchestratorState } from './orchestrator-state.ts';
import { recordEvents } from './record-events.ts';
import { countRunEvents, RunFacts } from './run-metrics.ts';

/** The control-plane activities the workflow proxies, bound to their stores. */
export function createControlPlaneActivities(deps: {
  sql: Sql;
  client: Client;
  /** Count runs into the metrics (only when they are served: it costs a describe per start and end). */
  countRuns?: boolean;
}): ControlPlaneActivities & OrchestratorControlActivities & ManifestControlActivities {
  const runFacts = new RunFacts();
  if (deps.countRuns) countOrchestratorRunsWith(() => countByStatus(deps.sql));
  return {
    recordOrchestratorState: (state) => recordOrchestratorState(deps.sql, state),
    loadManifestCheckpoints: (input) => loadManifestCheckpoints(deps.sql, input),
    saveManifestCheckpoints: (input) => saveManifestCheckpoints(deps.sql, input),
    recordManifestRun: ({ name, ...run }) => recordLastRun(deps.sql, name, run),
    findPool: (input: FindPoolInput) => findPool(deps.sql, deps.client, input),
    recordEvents: async (input: RecordEventsInput) => {
      const { runId, inserted } = await recordEvents(deps.sql, input);
      // Off the activity's path: counting never delays or fails a run.
      if (deps.countRuns) void countRunEvents(deps, runId, input, inserted, runFacts).catch(() => {});
    },
    requestCancel: async ({ workflowId, runId }: RequestCancelInput) => {
      await deps.client.workflow.getHandle(workflowId, runId).cancel();
    },
  };
}
