import { useSearchParams } from '@solidjs/router';
import { createResource, For, Show } from 'solid-js';
import {
  FAILED_OR_DEAD_LETTER,
  jobStatuses,
  statusFilters,
  statusLabels,
} from '../../../contracts/status.ts';
import { publishModes, runtimes } from '../../../contracts/task.ts';
import { getJobCounts, getSkills, type JobFilters, listJobs } from '../api/jobs.ts';
import { JobTable } from '../components/JobTable.tsx';
import { createCursorPages, Pager } from '../components/Pager.tsx';
import { createPolledResource } from '../lib/poll.ts';

const filterKeys = ['q', 'status', 'runtime', 'skill', 'publishMode', 'repository', 'order'] as const;
type FilterKey = (typeof filterKeys)[number];

/**
 * All jobs, newest first (or open runs first); every filter, the search and the page cursor live in the URL
 * query, so a reload or a shared link shows the same page.
 */
export function QueueList() {
  const [params, setParams] = useSearchParams();
  const [skills] = createResource(() => getSkills().catch(() => ({ items: [] })));
  const str = (v: string | string[] | undefined) => (typeof v === 'string' ? v : '');
  const filters = (): JobFilters => Object.fromEntries(filterKeys.map((k) => [k, str(params[k])]));
  const cursor = () => str(params.cursor) || null;

  const [page] = createPolledResource(
    () => ({ filters: filters(), cursor: cursor() }),
    (s) => listJobs(s.filters, s.cursor),
    5000,
  );
  // Counts by status under every other filter: what each status option would show.
  const [counts] = createPolledResource(
    () => {
      const { status: _status, order: _order, ...rest } = filters();
      return rest;
    },
    (f) => getJobCounts(f).then((r) => r.counts),
    5000,
  );

  const pages = createCursorPages({
    cursor,
    nextCursor: () => page()?.nextCursor,
    go: (c) => setParams({ cursor: c }),
  });

  const setFilter = (key: FilterKey, value: string) => {
    pages.reset();
    setParams({ [key]: value || undefined, cursor: undefined });
  };

  const select = (key: FilterKey, label: string, options: readonly string[], text = (o: string) => o) => (
    <label>
      {label}
      <select
        value={str(params[key])}
        onChange={(e) => setFilter(key, e.currentTarget.value)}
        data-testid={`filter-${key}`}
      >
        <option value="">any</option>
        <For each={options}>
          {(o) => (
            <option value={o} selected={o === str(params[key])}>
              {text(o)}
            </option>
          )}
        </For>
      </select>
    </label>
  );
  const text = (key: FilterKey, label: string, placeholder: string) => (
    <label>
      {label}
      <input
        type="search"
        value={str(params[key])}
        placeholder={placeholder}
        onChange={(e) => setFilter(key, e.currentTarget.value.trim())}
        data-testid={`filter-${key}`}
      />
    </label>
  );
  const statusText = (s: string) => {
    const c = counts();
    if (s === FAILED_OR_DEAD_LETTER) {
      return `Failed or dead-lettered${c ? ` (${c.failed + c.dead_letter})` : ''}`;
    }
    const n = c?.[s as keyof typeof statusLabels];
    return `${statusLabels[s as keyof typeof statusLabels]}${n === undefined ? '' : ` (${n})`}`;
  };

  return (
    <section>
      <h1>Queue</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
        {text('q', 'Search', 'title or repository')}
        {select('status', 'Status', statusFilters, statusText)}
        {select('runtime', 'Runtime', runtimes)}
        {select(
          'skill',
          'Skill',
          (skills()?.items ?? []).map((s) => s.id),
        )}
        {select('publishMode', 'Publish mode', publishModes)}
        {text('repository', 'Repository', 'part of owner/repo')}
        <label class="inline">
          <input
            type="checkbox"
            checked={str(params.order) === 'active-first'}
            onChange={(e) => setFilter('order', e.currentTarget.checked ? 'active-first' : '')}
            data-testid="filter-active-first"
          />
          Active runs first
        </label>
      </form>
      <Show when={counts()}>
        {(c) => (
          <ul class="status-counts" aria-label="Jobs by status" data-testid="status-counts">
            <For each={jobStatuses.filter((s) => c()[s] > 0)}>
              {(s) => (
                <li>
                  <button
                    type="button"
                    class="link"
                    aria-pressed={str(params.status) === s}
                    onClick={() => setFilter('status', str(params.status) === s ? '' : s)}
                    data-testid={`count-${s}`}
                  >
                    {statusLabels[s]} <strong>{c()[s]}</strong>
                  </button>
                </li>
              )}
            </For>
          </ul>
        )}
      </Show>
      <Show when={page()} fallback={<p class="muted">Loading…</p>}>
        {(p) => <JobTable jobs={p().items} empty="No jobs match these filters." />}
      </Show>
      <Pager pages={pages} />
    </section>
  );
}
