import { normalizeStatus } from '../../../../contracts/status.ts';
import { statusLabels } from '../../lib/proposal-filters.ts';

/** A proposal's status in its own words, coloured like the normalized status (spec 03). */
export function ProposalBadge(props: { status: string }) {
  const shown = () => normalizeStatus('proposals', props.status);
  return (
    <span
      class={`badge badge-${shown()}`}
      data-testid="proposal-status"
      data-status={props.status}
      title={shown()}
    >
      {statusLabels[props.status as keyof typeof statusLabels] ?? props.status}
    </span>
  );
}
