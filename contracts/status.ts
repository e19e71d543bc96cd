/**
 * Job statuses and the dashboard's status normalization (shared/spec/03-dashboard.md), one function
 * used by the API's job views and by every badge in the dashboard.
 */
export const jobStatuses = [
  'queued',
  'running',
  'awaiting_action',
  'succeeded',
  'failed',
  'cancelled',
  'dead_letter',
] as const;
export type JobStatus = (typeof jobStatuses)[number];
/** The one label of each job status for people (filters, counts, badges' titles). */
export const statusLabels: Record<JobStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  awaiting_action: 'Awaiting action',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
  dead_letter: 'Dead-lettered',
};
export const terminalStatuses: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled', 'dead_letter'];
export const isTerminal = (s: string) => (terminalStatuses as readonly string[]).includes(s);

/** The queue's status filter: one status, or every run that ended in failure (failed or dead-lettered). */
export const FAILED_OR_DEAD_LETTER = 'failed_or_dead_letter';
export const statusFilters = [...jobStatuses, FAILED_OR_DEAD_LETTER] as const;
export type StatusFilter = (typeof statusFilters)[number];

export type DisplayStatus =
  | 'queued'
  | 'running'
  | 'awaiting_action'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'dead_letter';
export type StatusSource = 'queue' | 'orchestrator' | 'proposals';

const tables: Record<StatusSource, Record<string, DisplayStatus>> = {
  queue: {
    queued: 'queued',
    pending: 'queued',
    running: 'running',
    awaiting_action: 'awaiting_action',
    paused: 'awaiting_action',
    succeeded: 'succeeded',
    success: 'succeeded',
    completed: 'succeeded',
    failed: 'failed',
    error: 'failed',
    // Its own badge: the attempts ran out (infrastructure), not the task.
    dead_letter: 'dead_letter',
    cancelled: 'cancelled',
  },
  orchestrator: {
    pending: 'queued',
    running: 'running',
    awaiting_approval: 'awaiting_action',
    succeeded: 'succeeded',
    rolled_back: 'succeeded',
    failed: 'failed',
  },
  proposals: {
    open: 'queued',
    promoted: 'succeeded',
    accepted: 'succeeded',
    dismissed: 'cancelled',
    rejected: 'failed',
  },
};

/** Raw status of any source → the one displayed status; unknown values fall back by keyword. */
export function normalizeStatus(source: StatusSource, raw: string | null | undefined): DisplayStatus {
  const value = (raw ?? '').trim().toLowerCase();
  const known = tables[source][value];
  if (known) return known;
  if (value.includes('cancel')) return 'cancelled';
  if (value.includes('run')) return 'running';
  if (value.includes('success') || value.includes('succeed')) return 'succeeded';
  if (value.includes('fail')) return 'failed';
  return 'queued';
}

/** What a job's badge knows beyond its status (the live state of a run that is still open). */
export interface StatusDetail {
  paused?: boolean;
  pausing?: boolean;
  takeoverRequested?: boolean;
  cancelRequested?: boolean;
}

const statusText: Record<DisplayStatus, string> = {
  queued: 'queued',
  running: 'running',
  awaiting_action: 'awaiting action',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  dead_letter: 'dead-lettered',
};

/**
 * The badge's words: the status, told as it is while a control takes effect (a cancel until the run has
 * stopped, a soft pause until the running step ends).
 */
export function statusLabel(status: DisplayStatus, detail: StatusDetail = {}): string {
  if (isTerminal(status)) return statusText[status];
  if (detail.cancelRequested) return 'cancelling…';
  if (detail.pausing) return 'pausing after this step';
  if (status === 'awaiting_action' && detail.takeoverRequested) return 'paused: taken over';
  if (status === 'awaiting_action' && detail.paused) return 'paused';
  return statusText[status];
}
