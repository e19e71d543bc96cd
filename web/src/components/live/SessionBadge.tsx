import type { LiveSessionState } from '../../../../contracts/live-session.ts';

const labels: Record<LiveSessionState, string> = {
  DISABLED: 'Off',
  STARTING: 'Starting',
  READY: 'Live',
  REVOKED: 'Revoked',
  ENDED: 'Ended',
  ERROR: 'Error',
};

/** The session's state as a badge; the raw state is its data attribute and title. */
export function SessionBadge(props: { state: LiveSessionState }) {
  return (
    <span
      class={`badge live-badge live-${props.state.toLowerCase()}`}
      data-testid="live-state"
      data-state={props.state}
      title={props.state}
    >
      {labels[props.state]}
    </span>
  );
}
