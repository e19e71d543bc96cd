import { upsertMemo } from '@temporalio/workflow';
import type { RunState } from '../contracts/controls.ts';
import { LIST_MEMO_KEY, listMemoOf } from '../contracts/list-memo.ts';
import { StartPatch } from './start-patch.ts';

/** Runs recorded before the list memo never upsert it (a replay would otherwise meet new commands). */
export const LIST_MEMO_PATCH = 'list-memo';

/**
 * Keeps the memo's `list` (contracts/list-memo.ts) in step with the run's state: upserted only when a
 * listed field changes (a handful of times per run), never for a state that lists already show.
 */
export class ListMemoSync {
  private last: string;
  private readonly patch = new StartPatch(LIST_MEMO_PATCH);

  constructor(initial: RunState) {
    // A fresh run's memo has no `list`, which reads the same as this empty state: nothing to upsert yet.
    this.last = JSON.stringify(listMemoOf(initial));
  }

  sync(state: RunState): void {
    const memo = listMemoOf(state);
    const text = JSON.stringify(memo);
    if (text === this.last || !this.patch.on) return;
    this.last = text;
    upsertMemo({ [LIST_MEMO_KEY]: memo });
  }
}
