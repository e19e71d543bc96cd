import { A } from '@solidjs/router';
import { For } from 'solid-js';
import type { ProposalDetail } from '../../api/proposals.ts';
import { ProposalBadge } from './ProposalBadge.tsx';

/** Proposals with the same dedup key (repository and normalized title). */
export function SimilarList(props: { similar: ProposalDetail['similar'] }) {
  return (
    <section class="card" data-testid="proposal-similar">
      <h2>Similar proposals</h2>
      <ul class="preset-list">
        <For each={props.similar} fallback={<li class="muted">None.</li>}>
          {(s) => (
            <li data-testid="similar-item">
              <ProposalBadge status={s.status} /> <A href={`/tasks/proposals/${s.id}`}>{s.title}</A>{' '}
              <span class="muted small">{s.repository}</span>
            </li>
          )}
        </For>
      </ul>
    </section>
  );
}
