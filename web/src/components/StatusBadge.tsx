import {
  normalizeStatus,
  type StatusDetail,
  type StatusSource,
  statusLabel,
} from '../../../contracts/status.ts';

/**
 * The one status badge: every raw status goes through `normalizeStatus`; `detail` (a job's live state) tells a
 * pending pause or cancel apart from a settled one.
 */
export function StatusBadge(props: {
  status: string | null | undefined;
  source?: StatusSource;
  detail?: StatusDetail;
}) {
  const shown = () => normalizeStatus(props.source ?? 'queue', props.status);
  return (
    <span
      class={`badge badge-${shown()}`}
      data-testid="status-badge"
      data-status={shown()}
      title={props.status ?? ''}
    >
      {statusLabel(shown(), props.detail)}
    </span>
  );
}
