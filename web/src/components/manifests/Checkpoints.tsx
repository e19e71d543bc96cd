import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import type { CheckpointState } from '../../api/manifests.ts';
import { Ago } from '../Ago.tsx';

/** Per data source: documents known after the last successful run, where the next run starts from. */
export function Checkpoints(props: { checkpoints: CheckpointState[] }) {
  return (
    <section class="card" aria-label="Checkpoints" data-testid="manifest-checkpoints">
      <h2>Checkpoints</h2>
      <Show
        when={props.checkpoints.length > 0}
        fallback={<p class="muted">No successful run yet: the next run reads everything.</p>}
      >
        <table class="artifacts">
          <thead>
            <tr>
              <th scope="col">Data source</th>
              <th scope="col">Documents</th>
              <th scope="col">Last success</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.checkpoints}>
              {(c) => (
                <tr data-testid="checkpoint-row" data-source={c.dataSourceId}>
                  <td data-label="Data source" class="mono wrap">
                    {c.dataSourceId}
                  </td>
                  <td data-label="Documents">{c.docCount.toLocaleString()}</td>
                  <td data-label="Last success">
                    <Show when={c.lastSuccessAt} fallback={<span class="muted">never</span>}>
                      <Ago at={c.lastSuccessAt} />
                    </Show>
                    <Show when={c.lastRunJobId}>
                      {(id) => (
                        <>
                          {' '}
                          <A href={`/tasks/queue/${id()}`}>run</A>
                        </>
                      )}
                    </Show>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </Show>
    </section>
  );
}
