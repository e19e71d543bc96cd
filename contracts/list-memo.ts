import type { RunState } from './controls.ts';

/**
 * The part of a run's live state that lists show (stage, waiting reason, times, branch, PR, error). The
 * workflow upserts it into its memo under `list` whenever it changes, so a list built from Temporal
 * visibility shows it without querying every run.
 */
export interface ListMemo {
  stage: string | null;
  waitingReason: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  branch: string | null;
  prUrl: string | null;
  /** At most ERROR_SNIPPET characters: a memo is size-limited and a list shows a snippet only. */
  error: string | null;
}

export const LIST_MEMO_KEY = 'list';
const ERROR_SNIPPET = 300;

export function listMemoOf(s: RunState): ListMemo {
  return {
    stage: s.stage,
    waitingReason: s.waitingReason,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    branch: s.branch,
    prUrl: s.prUrl,
    error: s.error && s.error.length > ERROR_SNIPPET ? `${s.error.slice(0, ERROR_SNIPPET - 1)}…` : s.error,
  };
}
