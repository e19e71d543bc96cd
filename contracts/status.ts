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

export type DisplayStatus = 'queued' | 'running' | 'awaiting_action' | 'succeeded' | 'failed' | 'cancelled';
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
    dead_letter: 'failed',
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
