import { type OrchestratorStatus, orchestratorStatusLabels } from '../../../../contracts/orchestrator-run.ts';
import { normalizeStatus } from '../../../../contracts/status.ts';

/** An orchestrator run's status: the product's badge colours (normalizeStatus), its own words; rolled back has its own mark. */
export function RunStatusBadge(props: { status: OrchestratorStatus }) {
  return (
    <span
      class={`badge badge-${normalizeStatus('orchestrator', props.status)}`}
      classList={{ 'badge-rolled_back': props.status === 'rolled_back' }}
      data-testid="run-status"
      data-status={props.status}
    >
      {orchestratorStatusLabels[props.status]}
    </span>
  );
}
