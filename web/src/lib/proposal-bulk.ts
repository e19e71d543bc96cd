/**
 * Bulk actions on the inbox's selection: what refuses to start (an empty selection, a snooze without a time)
 * and the per-item report of the server's answer (`bulkResultSchema`).
 */
export type BulkAction = 'promote' | 'dismiss' | 'snooze';

export interface BulkItemResult {
  id: string;
  ok: boolean;
  status: number;
  jobId: string | null;
  error: string | null;
}

export interface BulkLine {
  id: string;
  title: string;
  ok: boolean;
  detail: string;
  jobId: string | null;
}

export interface BulkSummary {
  ok: number;
  failed: number;
  message: string;
  lines: BulkLine[];
}

const done: Record<BulkAction, string> = { promote: 'Promoted', dismiss: 'Dismissed', snooze: 'Snoozed' };

/** Why the action cannot be sent, or null when it can. */
export function bulkRefusal(action: BulkAction, selected: number, until?: string | null): string | null {
  if (selected === 0) return 'Select at least one proposal first.';
  if (action === 'snooze' && !until) return 'Choose until when to snooze.';
  if (action === 'snooze' && until && Number.isNaN(Date.parse(until)))
    return 'The snooze time is not a date.';
  return null;
}

const failure = (r: BulkItemResult) => {
  if (r.error) return r.error;
  if (r.status === 409) return 'changed meanwhile (already decided)';
  if (r.status === 404) return 'not found';
  return `failed (HTTP ${r.status})`;
};

export function summarizeBulk(
  action: BulkAction,
  results: BulkItemResult[],
  titles: ReadonlyMap<string, string> = new Map(),
): BulkSummary {
  const lines = results.map(
    (r): BulkLine => ({
      id: r.id,
      title: titles.get(r.id) ?? r.id,
      ok: r.ok,
      jobId: r.jobId,
      detail: r.ok
        ? action === 'promote' && r.jobId
          ? `job ${r.jobId}`
          : done[action].toLowerCase()
        : failure(r),
    }),
  );
  const ok = lines.filter((l) => l.ok).length;
  const failed = lines.length - ok;
  const message =
    failed === 0
      ? `${done[action]} ${ok} of ${lines.length}.`
      : `${done[action]} ${ok} of ${lines.length}; ${failed} failed.`;
  return { ok, failed, message, lines };
}
