import { A } from '@solidjs/router';
import { createResource, Show } from 'solid-js';
import { listArtifacts } from '../../api/jobs.ts';
import { artifactText } from '../../api/orchestrator.ts';
import { errorMessage } from '../../lib/format.ts';
import { isArtifact, planFigures } from '../../lib/manifest-editor.ts';
import { StatusBadge } from '../StatusBadge.tsx';
import { createJobWatch } from './ManifestJobWatch.ts';

const count = (n: number | null) => (n === null ? '—' : n.toLocaleString());

/** A plan job's outcome: what a run would do (documents, chunks, tokens, cost) from its `plan.json`. */
export function PlanPreview(props: { jobId: string }) {
  const watch = createJobWatch(() => props.jobId);
  const [plan] = createResource(
    () => (watch.ended()?.status === 'succeeded' ? props.jobId : null),
    async (id) => {
      const found = (await listArtifacts(id)).items.find((a) => isArtifact(a.name, 'plan.json'));
      if (!found) throw new Error('the plan job left no plan.json');
      return planFigures(JSON.parse(await artifactText(found.downloadUrl)));
    },
  );
  return (
    <section class="card" aria-label="Plan" aria-live="polite" data-testid="manifest-plan">
      <h2>Plan</h2>
      <p>
        <A href={`/tasks/queue/${props.jobId}`}>Plan job</A>{' '}
        <StatusBadge status={watch.job()?.status ?? 'queued'} />
      </p>
      <Show when={watch.ended() && watch.ended()?.status !== 'succeeded'}>
        <p class="form-error" role="alert">
          The plan did not finish: see the job for why.
        </p>
      </Show>
      <Show when={plan.error}>
        <p class="form-error" role="alert">
          Could not read the plan: {errorMessage(plan.error)}
        </p>
      </Show>
      <Show when={plan()}>
        {(p) => (
          <dl class="facts" data-testid="plan-figures">
            <dt>Documents</dt>
            <dd data-testid="plan-documents">{count(p().documents)}</dd>
            <dt>Chunks</dt>
            <dd data-testid="plan-chunks">{count(p().chunks)}</dd>
            <dt>Estimated tokens</dt>
            <dd data-testid="plan-tokens">{count(p().estimatedTokens)}</dd>
            <dt>Estimated cost</dt>
            <dd data-testid="plan-cost">
              {p().estimatedCostUsd === null ? '—' : `$${p().estimatedCostUsd?.toFixed(4)}`}
            </dd>
          </dl>
        )}
      </Show>
    </section>
  );
}
