import { useSearchParams } from '@solidjs/router';
import { createResource, For, Show } from 'solid-js';
import { FAILED_OR_DEAD_LETTER, statusFilters } from '../../../contracts/status.ts';
import { publishModes, runtimes } from '../../../contracts/task.ts';
import { getSkills, type JobFilters, listJobs } from '../api/jobs.ts';
import { JobTable } from '../components/JobTable.tsx';
import { createCursorPages, Pager } from '../components/Pager.tsx';
import { createPolledResource } from '../lib/poll.ts';

const filterKeys = ['status', 'runtime', 'skill', 'publishMode', 'repository'] as const;
const optionLabel = (o: string) => (o === FAILED_OR_DEAD_LETTER ? 'failed or dead-lettered' : o);

/** All jobs, newest first; filters and the page cursor live in the URL query. */
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

  const pages = createCursorPages({
    cursor,
    nextCursor: () => page()?.nextCursor,
    go: (c) => setParams({ cursor: c }),
  });

  const setFilter = (key: (typeof filterKeys)[number], value: string) => {
    pages.reset();
    setParams({ [key]: value || undefined, cursor: undefined });
  };

  const select = (key: (typeof filterKeys)[number], label: string, options: readonly string[]) => (
    <label>
      {label}
      <select
        value={str(params[key])}
        onChange={(e) => setFilter(key, e.currentTarget.value)}
        data-testid={`filter-${key}`}
      >
        <option value="">any</option>
        <For each={options}>{(o) => <option value={o}>{optionLabel(o)}</option>}</For>
      </select>
    </label>
  );

  return (
    <section>
      <h1>Queue</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
        {select('status', 'Status', statusFilters)}
        {select('runtime', 'Runtime', runtimes)}
        {select(
          'skill',
          'Skill',
          (skills()?.items ?? []).map((s) => s.id),
        )}
        {select('publishMode', 'Publish mode', publishModes)}
        <label>
          Repository
          <input
            type="text"
            value={str(params.repository)}
            placeholder="owner/repo"
            onChange={(e) => setFilter('repository', e.currentTarget.value.trim())}
            data-testid="filter-repository"
          />
        </label>
      </form>
      <Show when={page()} fallback={<p class="muted">Loading…</p>}>
        {(p) => <JobTable jobs={p().items} empty="No jobs match these filters." />}
      </Show>
      <Pager pages={pages} />
    </section>
  );
}
