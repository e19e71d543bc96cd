import type { OrchestratorRunState } from '../../contracts/orchestrator-run.ts';
import type { Sql } from '../../db/client.ts';
import { getRun, recordState } from '../../db/orchestrator-runs.ts';
import {
  orchestratorRunDuration,
  orchestratorRunsFinished,
  orchestratorStepOutcomes,
  orchestratorStepsStarted,
} from '../../lib/metrics/orchestrator.ts';

const ended = (outcome: string) => outcome !== 'pending' && outcome !== 'running';

/**
 * The workflow's report of its state: into the run's row, and counted into the metrics by what changed since
 * the row's last state (a retried report finds nothing new, so nothing counts twice).
 */
export async function recordOrchestratorState(sql: Sql, state: OrchestratorRunState): Promise<void> {
  const row = await getRun(sql, state.runId);
  await recordState(sql, state);
  const before = row?.state;
  if (!row || !before || before.finishedAt) return;
  for (const step of state.steps) {
    const was = before.steps.find((s) => s.name === step.name && s.startedAt === step.startedAt);
    if (!was && step.outcome !== 'skipped') orchestratorStepsStarted.inc({ step: step.name });
    if (ended(step.outcome) && (!was || !ended(was.outcome)))
      orchestratorStepOutcomes.inc({ step: step.name, outcome: step.outcome });
  }
  if (state.finishedAt) {
    orchestratorRunsFinished.inc({ status: state.status });
    // From submission: a run cancelled while pending took time too.
    const from = Date.parse(row.createdAt);
    orchestratorRunDuration.observe(
      { status: state.status },
      Math.max(0, Date.parse(state.finishedAt) - from) / 1000,
    );
  }
}
