import { useSearchParams } from '@solidjs/router';
import { createMemo, createSignal, Show } from 'solid-js';
import { listProposals } from '../api/proposals.ts';
import { createCursorPages, Pager } from '../components/Pager.tsx';
import { BulkBar } from '../components/proposals/BulkBar.tsx';
import { ProposalFilters } from '../components/proposals/ProposalFilters.tsx';
import { ProposalTable } from '../components/proposals/ProposalTable.tsx';
import { errorMessage } from '../lib/format.ts';
import { createPolledResource } from '../lib/poll.ts';
import {
  apiQuery,
  type ProposalFilters as Filters,
  filtersFromParams,
  withFilter,
} from '../lib/proposal-filters.ts';

/** The proposals inbox: filters and the page cursor in the URL, counts per status, bulk triage. */
export function Proposals() {
  const [params, setParams] = useSearchParams();
  const filters = createMemo(() => filtersFromParams(params));
  const [selected, setSelected] = createSignal<ReadonlySet<string>>(new Set());

  const [page, { refetch, error }] = createPolledResource(
    () => apiQuery(filters()),
    (q) => listProposals(q),
    10_000,
  );
  const items = () => page()?.items ?? [];
  const titles = createMemo(() => new Map(items().map((p) => [p.id, p.title])));

  const pages = createCursorPages({
    cursor: () => filters().cursor,
    nextCursor: () => page()?.nextCursor,
    go: (cursor) => setParams({ cursor }),
  });

  const change = (patch: Partial<Filters>) => {
    pages.reset();
    setSelected(new Set<string>());
    setParams(withFilter(filters(), patch));
  };
  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected());
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };
  const toggleAll = (on: boolean) => setSelected(new Set(on ? items().map((p) => p.id) : []));

  return (
    <section data-testid="proposals-page">
      <h1>Proposals</h1>
      <ProposalFilters filters={filters()} counts={page()?.counts} onChange={change} />
      <BulkBar
        selected={[...selected()]}
        titles={titles()}
        onDone={() => {
          setSelected(new Set<string>());
          refetch();
        }}
      />
      <Show when={error()}>
        <p class="form-error" role="alert" data-testid="proposals-error">
          Could not load proposals: {errorMessage(error())}
        </p>
      </Show>
      <Show when={page()} fallback={<p class="muted">Loading…</p>}>
        <ProposalTable proposals={items()} selected={selected()} onToggle={toggle} onToggleAll={toggleAll} />
      </Show>
      <Pager pages={pages} />
    </section>
  );
}
