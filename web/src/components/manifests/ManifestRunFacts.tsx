import { createMemo, createResource, For, Show } from 'solid-js';
import type { JobEvent } from '../../../../contracts/events.ts';
import type { ManifestRunSummary } from '../../../../contracts/manifest.ts';
import type { Artifact } from '../../api/jobs.ts';
import { artifactText } from '../../api/orchestrator.ts';
import { errorMessage } from '../../lib/format.ts';
import { isArtifact, stageCounts, stageTime, summaryRows } from '../../lib/manifest-editor.ts';

/**
 * A manifest job's own facts on the job detail page: each finished stage's counts and time (from its
 * `moonmind.manifest.<stage>.finished` event) and the run summary (`run_summary.json`) once written.
 */
export function ManifestRunFacts(props: { events: JobEvent[]; artifacts: Artifact[] }) {
  const stages = createMemo(() => stageCounts(props.events));
  const summaryArtifact = () => props.artifacts.find((a) => isArtifact(a.name, 'run_summary.json'));
  const [summary] = createResource(
    () => summaryArtifact()?.downloadUrl,
    async (url) => JSON.parse(await artifactText(url)) as ManifestRunSummary,
  );
  return (
    <section class="card" aria-label="Manifest run" data-testid="manifest-run-facts">
      <h2>Manifest run</h2>
      <Show when={stages().length > 0} fallback={<p class="muted">No stage has finished yet.</p>}>
        <table class="artifacts" data-testid="manifest-stages">
          <thead>
            <tr>
              <th scope="col">Stage</th>
              <th scope="col">Counts</th>
              <th scope="col">Time</th>
            </tr>
          </thead>
          <tbody>
            <For each={stages()}>
              {(s) => (
                <tr data-testid="manifest-stage" data-stage={s.stage}>
                  <td data-label="Stage">{s.stage}</td>
                  <td data-label="Counts" class="wrap">
                    {Object.entries(s.counts)
                      .map(([k, v]) => `${k} ${v.toLocaleString()}`)
                      .join(' · ') || '—'}
                  </td>
                  <td data-label="Time">{stageTime(s.durationMs)}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </Show>
      <Show when={summary.error}>
        <p class="form-error" role="alert">
          Could not read the run summary: {errorMessage(summary.error)}
        </p>
      </Show>
      <Show when={summary()}>
        {(s) => (
          <>
            <h3>Summary</h3>
            <dl class="facts" data-testid="manifest-summary">
              <For each={summaryRows}>
                {(r) => (
                  <>
                    <dt>{r.label}</dt>
                    <dd data-testid={`summary-${r.key}`}>
                      {typeof s()[r.key] === 'number' ? s()[r.key].toLocaleString() : '—'}
                    </dd>
                  </>
                )}
              </For>
            </dl>
          </>
        )}
      </Show>
    </section>
  );
}
