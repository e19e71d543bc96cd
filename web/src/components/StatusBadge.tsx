import { normalizeStatus, type StatusSource } from '../../../contracts/status.ts';

const text = {
  queued: 'queued',
  running: 'running',
  awaiting_action: 'awaiting action',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
} as const;

/** The one status badge: every raw status goes through `normalizeStatus`. */
export function StatusBadge(props: { status: string | null | undefined; source?: StatusSource }) {
  const shown = () => normalizeStatus(props.source ?? 'queue', props.status);
  return (
    <span
      class={`badge badge-${shown()}`}
      data-testid="status-badge"
      data-status={shown()}
      title={props.status ?? ''}
    >
      {text[shown()]}
    </span>
  );
}
