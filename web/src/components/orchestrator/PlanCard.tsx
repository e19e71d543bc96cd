import { For, Show } from 'solid-js';
import type { OrchestratorPlan } from '../../../../contracts/orchestrator-run.ts';
import { formatTime } from '../../lib/format.ts';

/** The plan the analyze step made: what it will do to which files and why, and who approved it. */
export function PlanCard(props: { plan: OrchestratorPlan | null; reused: boolean }) {
  return (
    <section class="card" aria-labelledby="plan-title" data-testid="plan">
      <h2 id="plan-title">Plan</h2>
      <Show
        when={props.plan}
        fallback={<p class="muted">Not planned yet: the analyze step makes the plan.</p>}
      >
        {(plan) => (
          <>
            <Show when={props.reused}>
              <p class="muted">Reused from the run this one retries (analyze skipped).</p>
            </Show>
            <dl class="facts">
              <dt>Service</dt>
              <dd data-testid="plan-service">{plan().targetService}</dd>
              <dt>Health URL</dt>
              <dd class="wrap mono">{plan().healthUrl ?? '—'}</dd>
              <Show when={plan().composeProject}>
                <dt>Compose project</dt>
                <dd class="mono">{plan().composeProject}</dd>
              </Show>
              <dt>Approved by</dt>
              <dd data-testid="plan-approver">
                <Show when={plan().approval} fallback="—">
                  {(a) => (
                    <>
                      <strong>{a().actor}</strong>{' '}
                      <time class="muted" datetime={a().at}>
                        {formatTime(a().at)}
                      </time>
                      {a().tokenVerified ? ' · token verified' : ''}
                      {a().atSubmission ? ' · with the submission' : ''}
                    </>
                  )}
                </Show>
              </dd>
            </dl>
            <h3>Steps</h3>
            <ol class="plan-steps" data-testid="plan-steps">
              <For each={plan().steps}>
                {(s) => (
                  <li data-step={s.name}>
                    <strong>{s.name}</strong>
                    <Show when={s.description}>: {s.description}</Show>
                  </li>
                )}
              </For>
            </ol>
            <h3>Files</h3>
            <Show when={plan().files.length > 0} fallback={<p class="muted">No files to touch.</p>}>
              <ul class="plan-files mono" data-testid="plan-files">
                <For each={plan().files}>{(f) => <li class="wrap">{f}</li>}</For>
              </ul>
            </Show>
            <h3>Rationale</h3>
            <p class="wrap pre-line" data-testid="plan-rationale">
              {plan().rationale || '—'}
            </p>
          </>
        )}
      </Show>
    </section>
  );
}
