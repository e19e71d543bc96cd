import { For } from 'solid-js';
import { originSources, proposalCategories } from '../../../../contracts/proposals.ts';
import {
  countFor,
  type ProposalFilters as Filters,
  statusLabels,
  statusTabs,
} from '../../lib/proposal-filters.ts';

/** Status tabs with their counts, then category, repository, origin source, tag, text and snoozed. */
export function ProposalFilters(props: {
  filters: Filters;
  counts?: Partial<Record<string, number>>;
  onChange: (patch: Partial<Filters>) => void;
}) {
  const text = (key: 'repository' | 'tag' | 'q', label: string, placeholder: string) => (
    <label>
      {label}
      <input
        type={key === 'q' ? 'search' : 'text'}
        value={props.filters[key]}
        placeholder={placeholder}
        onChange={(e) => props.onChange({ [key]: e.currentTarget.value.trim() })}
        data-testid={`proposal-filter-${key}`}
      />
    </label>
  );
  const select = (key: 'category' | 'originSource', label: string, options: readonly string[]) => (
    <label>
      {label}
      <select
        value={props.filters[key]}
        onChange={(e) => props.onChange({ [key]: e.currentTarget.value })}
        data-testid={`proposal-filter-${key}`}
      >
        <option value="">any</option>
        <For each={options}>{(o) => <option value={o}>{o}</option>}</For>
      </select>
    </label>
  );
  return (
    <div class="proposal-filters">
      <div class="tabs" role="tablist" aria-label="Status">
        <For each={statusTabs}>
          {(status) => (
            <button
              type="button"
              role="tab"
              class="secondary small"
              aria-selected={props.filters.status === status}
              onClick={() => props.onChange({ status })}
              data-testid={`proposal-status-${status}`}
            >
              {statusLabels[status]}{' '}
              <span class="count" data-testid={`proposal-count-${status}`}>
                {countFor(props.counts, status) ?? ''}
              </span>
            </button>
          )}
        </For>
      </div>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
        {select('category', 'Category', proposalCategories)}
        {text('repository', 'Repository', 'owner/repo')}
        {select('originSource', 'Origin', originSources)}
        {text('tag', 'Tag', 'any')}
        {text('q', 'Search', 'title and summary')}
        <label class="inline">
          <input
            type="checkbox"
            checked={props.filters.includeSnoozed}
            onChange={(e) => props.onChange({ includeSnoozed: e.currentTarget.checked })}
            data-testid="proposal-filter-includeSnoozed"
          />
          Include snoozed
        </label>
      </form>
    </div>
  );
}
