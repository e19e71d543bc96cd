import { createResource, createSignal, Index, Show } from 'solid-js';
import type { ArtifactView } from '../../../../contracts/artifacts.ts';
import type { JobEvent } from '../../../../contracts/events.ts';
import { artifactText } from '../../api/orchestrator.ts';
import { type Transport, transportLabels } from '../../lib/event-feed.ts';
import { isLog } from '../../lib/events.ts';
import { formatTime } from '../../lib/format.ts';
import { type StepRow, stepDuration, stepOfEvent } from '../../lib/orchestrator-view.ts';

const phaseOf: Record<StepRow['outcome'], string> = {
  pending: 'pending',
  running: 'running',
  succeeded: 'finished',
  failed: 'failed',
  skipped: 'skipped',
  cancelled: 'cancelled',
};

/**
 * analyze → patch → build → restart → verify (→ rollback): each step's outcome, times and one-line detail,
 * and its log: the kept artifact once the step has uploaded it, its live lines from the event stream before.
 */
export function StepTimeline(props: {
  rows: StepRow[];
  artifacts: ArtifactView[];
  events: JobEvent[];
  transport: Transport;
}) {
  return (
    <section class="card" aria-labelledby="steps-title" data-testid="step-timeline">
      <div class="output-head">
        <h2 id="steps-title">Steps</h2>
        <span
          class={`transport transport-${props.transport}`}
          data-testid="transport"
          data-transport={props.transport}
        >
          {transportLabels[props.transport]}
        </span>
      </div>
      <ol class="run-steps">
        {/* By position, not identity: the rows are rebuilt each tick, an opened log must stay open. */}
        <Index each={props.rows}>
          {(row) => (
            <StepItem
              row={row()}
              artifact={props.artifacts.find((a) => a.name === row().artifact) ?? null}
              events={props.events}
            />
          )}
        </Index>
      </ol>
    </section>
  );
}

function StepItem(props: { row: StepRow; artifact: ArtifactView | null; events: JobEvent[] }) {
  const [open, setOpen] = createSignal(false);
  // Fetched when opened, and again when the artifact is replaced (a rollback rewrites nothing, a retry is a new run).
  const [text] = createResource(
    () => open() && props.artifact && `${props.artifact.downloadUrl}#${props.artifact.createdAt}`,
    () => artifactText(props.artifact!.downloadUrl),
  );
  const liveLines = () =>
    props.events
      .filter((e) => isLog(e) && stepOfEvent(e) === props.row.name)
      .map((e) => e.message)
      .join('\n');
  const log = () => (props.artifact ? (text() ?? '') : liveLines());
  return (
    <li
      class={`run-step phase-${phaseOf[props.row.outcome]}`}
      data-testid={`step-${props.row.name}`}
      data-outcome={props.row.outcome}
    >
      <div class="run-step-head">
        <span class="dot" aria-hidden="true" />
        <strong>{props.row.name}</strong>
        <span class="muted" data-testid="step-outcome">
          {props.row.outcome}
        </span>
        <Show when={props.row.durationMs !== null}>
          <span class="duration">{stepDuration(props.row.durationMs!)}</span>
        </Show>
        <Show when={props.row.startedAt}>
          {(t) => (
            <time class="muted small" datetime={t()}>
              {formatTime(t())}
            </time>
          )}
        </Show>
      </div>
      <Show when={props.row.description}>
        <p class="muted wrap">{props.row.description}</p>
      </Show>
      <Show when={props.row.detail}>
        <p class="wrap" data-testid="step-detail">
          {props.row.detail}
        </p>
      </Show>
      <Show when={props.row.outcome !== 'pending'}>
        <details onToggle={(e) => setOpen(e.currentTarget.open)}>
          <summary data-testid="step-log-toggle">
            Log{props.artifact ? ` (${props.artifact.name})` : ''}
          </summary>
          <Show when={!text.error} fallback={<p class="form-error">Could not read the log.</p>}>
            <pre class="step-log" tabindex="0" data-testid="step-log">
              {log() || (text.loading ? 'Loading…' : 'No output yet.')}
            </pre>
          </Show>
          <Show when={props.artifact}>
            {(a) => (
              <a href={a().downloadUrl} download="">
                Download {a().name}
              </a>
            )}
          </Show>
        </details>
      </Show>
    </li>
  );
}
