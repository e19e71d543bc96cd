import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import { listManifests } from '../api/manifests.ts';
import { Ago } from '../components/Ago.tsx';
import { StatusBadge } from '../components/StatusBadge.tsx';
import { errorMessage } from '../lib/format.ts';
import { createPolledResource } from '../lib/poll.ts';
import { canMutate } from '../lib/session.ts';

/**
 * `/tasks/manifests`: the registry, by name, each with its revision and its last run (status and time,
 * linking to the run). Polled, so a run started elsewhere shows up.
 */
export function Manifests() {
  const [items, { error }] = createPolledResource(() => true, listManifests, 5000);
  return (
    <section>
      <div class="page-head">
        <h1>Manifests</h1>
        <Show when={canMutate()}>
          <A href="/tasks/manifests/new" class="button" data-testid="new-manifest">
            New manifest
          </A>
        </Show>
      </div>
      <p class="muted">
        Declarative document pipelines: where documents come from, how they are split and embedded, and the
        vector index they land in. Each run is incremental from the last successful one.
      </p>
      <Show when={error()}>
        <p class="form-error" role="alert">
          Could not load the manifests: {errorMessage(error())}
        </p>
      </Show>
      <Show when={items()} fallback={<p class="muted">Loading…</p>}>
        {(list) => (
          <Show
            when={list().length > 0}
            fallback={
              <p class="muted" data-testid="manifests-empty">
                No manifests yet.
              </p>
            }
          >
            <table class="jobs" data-testid="manifests">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Revision</th>
                  <th scope="col">Last run</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                <For each={list()}>
                  {(m) => (
                    <tr data-testid="manifest-row" data-name={m.name}>
                      <td data-label="Name">
                        <A
                          href={`/tasks/manifests/${encodeURIComponent(m.name)}`}
                          data-testid="manifest-link"
                        >
                          {m.name}
                        </A>
                      </td>
                      <td data-label="Revision">{m.revision}</td>
                      <td data-label="Last run">
                        <Show when={m.lastRun} fallback={<span class="muted">never run</span>}>
                          {(r) => (
                            <A href={`/tasks/queue/${r().jobId}`} data-testid="manifest-last-run">
                              <StatusBadge status={r().status} /> <Ago at={r().finishedAt ?? r().startedAt} />
                            </A>
                          )}
                        </Show>
                      </td>
                      <td data-label="Updated">
                        <Ago at={m.updatedAt} /> <span class="muted">by {m.updatedBy}</span>
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </Show>
        )}
      </Show>
    </section>
  );
}
