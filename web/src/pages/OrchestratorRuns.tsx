import { A, useSearchParams } from '@solidjs/router';
import { createEffect, createSignal, For, on, Show } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import { orchestratorStatuses, orchestratorStatusLabels } from '../../../contracts/orchestrator-run.ts';
import { listRuns, type OrchestratorRun } from '../api/orchestrator.ts';
import { Ago } from '../components/Ago.tsx';
import { RunStatusBadge } from '../components/orchestrator/RunStatusBadge.tsx';
import { errorMessage } from '../lib/format.ts';
import { statusFilterOf } from '../lib/orchestrator-view.ts';
import { createPolledResource } from '../lib/poll.ts';
import { canOperate } from '../lib/session.ts';

const PAGE = 25;

/**
 * Orchestrator runs, newest first; the status filter lives in the URL (`?status=`), so a reload or a shared
 * link shows the same list. The first page is polled; "Load more" appends the next pages by cursor.
 */
export function OrchestratorRuns() {
  const [params, setParams] = useSearchParams<{ status?: string }>();
  const status = () => statusFilterOf(params.status);
  const [first, { error }] = createPolledResource(
    () => ({ status: status() ?? undefined }),
    (q) => listRuns({ ...q, limit: PAGE }),
    4000,
  );
  const [more, setMore] = createSignal<OrchestratorRun[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [loadingMore, setLoadingMore] = createSignal(false);
  const [moreError, setMoreError] = createSignal<string | null>(null);
  // A new filter starts over; a poll of the first page only moves the cursor while nothing more is loaded.
  createEffect(on(status, () => setMore([]), { defer: true }));
  createEffect(() => {
    const page = first();
    if (page && more().length === 0) setCursor(page.nextCursor);
  });
  // One store of rows, reconciled by run id: a poll changes only what changed (a focused link stays focused).
  const [rows, setRows] = createStore<OrchestratorRun[]>([]);
  createEffect(() => {
    const seen = new Set((first()?.items ?? []).map((r) => r.runId));
    setRows(
      reconcile([...(first()?.items ?? []), ...more().filter((r) => !seen.has(r.runId))], { key: 'runId' }),
    );
  });
  const loadMore = async () => {
    const c = cursor();
    if (!c) return;
    setLoadingMore(true);
    setMoreError(null);
    const asked = status();
    try {
      const page = await listRuns({ status: asked ?? undefined, limit: PAGE, cursor: c });
      // The filter changed while this page was out: it belongs to the other list.
      if (asked !== status()) return;
      setMore([...more(), ...page.items]);
      setCursor(page.nextCursor);
    } catch (e) {
      setMoreError(errorMessage(e));
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <section>
      <div class="page-head">
        <h1>Orchestrator</h1>
        <Show when={canOperate()}>
          <A href="/tasks/orchestrator/new" class="button" data-testid="new-orchestrator-run">
            New run
          </A>
        </Show>
      </div>
      <p class="muted">
        Runs that fix one service of a running stack: plan, approval for protected services, patch, build,
        restart, verify, and roll back when verification fails.
      </p>
      <form class="filters single" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
        <label>
          Status
          <select
            value={status() ?? ''}
            onChange={(e) => setParams({ status: e.currentTarget.value || undefined })}
            data-testid="filter-status"
          >
            <option value="">any</option>
            <For each={orchestratorStatuses}>
              {(s) => (
                <option value={s} selected={s === status()}>
                  {orchestratorStatusLabels[s]}
                </option>
              )}
            </For>
          </select>
        </label>
      </form>
      <Show when={error()}>
        <p class="form-error" role="alert">
          Could not load the runs: {errorMessage(error())}
        </p>
      </Show>
      <Show when={first()} fallback={<p class="muted">Loading…</p>}>
        <Show
          when={rows.length > 0}
          fallback={
            <p class="muted" data-testid="runs-empty">
              No runs{status() ? ' with this status' : ''}.
            </p>
          }
        >
          <table class="jobs runs" data-testid="orchestrator-runs">
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">Status</th>
                <th scope="col">Instruction</th>
                <th scope="col">Submitted</th>
              </tr>
            </thead>
            <tbody>
              <For each={rows}>
                {(r) => (
                  <tr data-testid="orchestrator-run-row" data-run-id={r.runId}>
                    <td data-label="Service">
                      <A href={`/tasks/orchestrator/${r.runId}`} data-testid="run-link">
                        {r.targetService}
                      </A>
                      <Show when={r.priority === 'high'}>
                        {' '}
                        <span class="tag">high</span>
                      </Show>
                    </td>
                    <td data-label="Status">
                      <RunStatusBadge status={r.status} />
                    </td>
                    <td data-label="Instruction" class="wrap clamp">
                      {r.instruction}
                    </td>
                    <td data-label="Submitted">
                      <Ago at={r.createdAt} /> <span class="muted">by {r.submittedBy}</span>
                    </td>
                  </tr>
                )}
              </For>
            </tbody>
          </table>
        </Show>
      </Show>
      <Show when={moreError()}>
        <p class="form-error" role="alert">
          {moreError()}
        </p>
      </Show>
      <Show when={cursor()}>
        <button
          type="button"
          class="secondary"
          disabled={loadingMore()}
          onClick={loadMore}
          data-testid="load-more"
        >
          {loadingMore() ? 'Loading…' : 'Load more'}
        </button>
      </Show>
    </section>
  );
}
