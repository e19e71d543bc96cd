import { For, Show } from 'solid-js';
import type { Artifact } from '../api/jobs.ts';
import { formatBytes, formatTime } from '../lib/format.ts';
import { Separated } from './Separated.tsx';

export function ArtifactsTable(props: { artifacts: Artifact[] }) {
  return (
    <section class="card" aria-label="Artifacts" data-testid="artifacts">
      <h2>Artifacts</h2>
      <Show when={props.artifacts.length > 0} fallback={<p class="muted">No artifacts yet.</p>}>
        <table class="artifacts">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Size</th>
              <th scope="col">Type</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.artifacts}>
              {(a) => (
                <tr data-testid="artifact-row" data-name={a.name}>
                  <td data-label="Name" class="name-wrap">
                    <a href={a.downloadUrl} download="" data-testid="artifact-download">
                      <Separated text={a.name} />
                    </a>
                  </td>
                  <td data-label="Size">{formatBytes(a.size)}</td>
                  <td data-label="Type">{a.contentType}</td>
                  <td data-label="Created">{formatTime(a.createdAt)}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </Show>
    </section>
  );
}
