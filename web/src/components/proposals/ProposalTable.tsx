import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import type { Proposal } from '../../../../contracts/proposals.ts';
import { formatTime } from '../../lib/format.ts';
import { isSnoozed } from '../../lib/snooze.ts';
import { OriginLink } from './OriginLink.tsx';
import { ProposalBadge } from './ProposalBadge.tsx';

/** Inbox rows with a selection checkbox each (and one for the whole page). */
export function ProposalTable(props: {
  proposals: Proposal[];
  selected: ReadonlySet<string>;
  onToggle: (id: string, on: boolean) => void;
  onToggleAll: (on: boolean) => void;
}) {
  const allSelected = () =>
    props.proposals.length > 0 && props.proposals.every((p) => props.selected.has(p.id));
  return (
    <Show
      when={props.proposals.length > 0}
      fallback={
        <p class="muted" data-testid="proposals-empty">
          No proposals match these filters.
        </p>
      }
    >
      <table class="jobs" data-testid="proposal-table">
        <thead>
          <tr>
            <th scope="col">
              <input
                type="checkbox"
                checked={allSelected()}
                onChange={(e) => props.onToggleAll(e.currentTarget.checked)}
                aria-label="Select all on this page"
                data-testid="proposal-select-all"
              />
            </th>
            <th scope="col">Status</th>
            <th scope="col">Proposal</th>
            <th scope="col">Repository</th>
            <th scope="col">Category</th>
            <th scope="col">Tags</th>
            <th scope="col">Priority</th>
            <th scope="col">Created</th>
            <th scope="col">Origin</th>
          </tr>
        </thead>
        <tbody>
          <For each={props.proposals}>
            {(p) => (
              <tr
                data-testid="proposal-row"
                data-proposal-id={p.id}
                classList={{ selected: props.selected.has(p.id) }}
              >
                <td>
                  <input
                    type="checkbox"
                    checked={props.selected.has(p.id)}
                    onChange={(e) => props.onToggle(p.id, e.currentTarget.checked)}
                    aria-label={`Select ${p.title}`}
                    data-testid="proposal-select"
                  />
                </td>
                <td data-label="Status">
                  <ProposalBadge status={p.status} />
                  <Show when={isSnoozed(p.snoozedUntil)}>
                    <span class="badge marker" title={formatTime(p.snoozedUntil)}>
                      snoozed
                    </span>
                  </Show>
                </td>
                <td data-label="Proposal" class="wrap">
                  <A href={`/tasks/proposals/${p.id}`} data-testid="proposal-link">
                    {p.title}
                  </A>
                </td>
                <td data-label="Repository" class="wrap">
                  {p.repository}
                </td>
                <td data-label="Category">{p.category}</td>
                <td data-label="Tags">
                  <For each={p.tags}>{(t) => <span class="tag">{t}</span>}</For>
                </td>
                <td data-label="Priority">{p.priority}</td>
                <td data-label="Created">{formatTime(p.createdAt)}</td>
                <td data-label="Origin">
                  <OriginLink origin={p.origin} />
                </td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </Show>
  );
}
