import { For } from 'solid-js';
import type { JobView } from '../../../contracts/job.ts';
import { isTerminal } from '../../../contracts/status.ts';
import type { PhaseState, Span, StageRow, StepRow, Timeline } from '../lib/events.ts';
import { spanMs, stageLabel } from '../lib/events.ts';
import { formatElapsed } from '../lib/format.ts';
import { createNow } from '../lib/now.ts';

/**
 * Stages and steps from the loaded events, completed by the job view when the early events are not loaded
 * (a long run opens on its newest page): stages before the current one are done. With every event loaded,
 * a stage a finished run never entered was skipped. In a cancelled run, what was running when the cancel
 * stopped it (the worker reports it failed) was cancelled.
 */
export function fillFromJob(t: Timeline, job: JobView, allLoaded: boolean): Timeline {
  const current = t.stages.findIndex((s) => s.name === job.stage);
  const done = isTerminal(job.status) && allLoaded;
  const stopped = (state: PhaseState): PhaseState =>
    job.status === 'cancelled' && (state === 'running' || state === 'failed') ? 'cancelled' : state;
  const stages = t.stages.map((s, i) => ({
    ...s,
    state: stopped(
      s.state === 'pending' && current >= 0 && i < current
        ? 'finished'
        : s.state === 'pending' && done
          ? 'skipped'
          : s.state,
    ),
  }));
  if (current >= 0 && stages[current].state === 'pending' && !isTerminal(job.status))
    stages[current].state = 'running';
  let steps = t.steps;
  if (steps.length === 0 && job.step) {
    steps = Array.from({ length: job.step.count }, (_, index) => ({
      index,
      id: index === job.step!.index ? (job.step!.id ?? '') : '',
      title: index === job.step!.index ? job.step!.title : null,
      state: (index < job.step!.index
        ? 'finished'
        : index === job.step!.index
          ? 'running'
          : 'pending') as PhaseState,
    }));
  }
  return { ...t, stages, steps: steps.map((s) => ({ ...s, state: stopped(s.state) })) };
}

export function StageTimeline(props: { stages: StageRow[]; steps: StepRow[] }) {
  const now = createNow(() => [...props.stages, ...props.steps].some((r) => r.state === 'running'));
  const took = (row: Span) => {
    const ms = spanMs(row, now());
    return ms === null ? '' : formatElapsed(ms);
  };
  return (
    <section class="card stages" aria-label="Stages and steps" data-testid="stage-timeline">
      <details open>
        <summary>
          <h2>Stages</h2>
        </summary>
        <ol class="phases">
          <For each={props.stages}>
            {(s) => (
              <li
                class={`phase phase-${s.state}`}
                data-testid={`stage-${stageLabel(s.name)}`}
                data-state={s.state}
              >
                <span class="dot" aria-hidden="true" />
                {stageLabel(s.name)} <span class="muted">({s.state})</span>
                <span class="duration" data-testid="duration">
                  {took(s)}
                </span>
              </li>
            )}
          </For>
        </ol>
      </details>
      <details open>
        <summary>
          <h3>Steps</h3>
        </summary>
        <ol class="phases">
          <For each={props.steps} fallback={<li class="muted">not planned yet</li>}>
            {(s) => (
              <li class={`phase phase-${s.state}`} data-testid={`step-row-${s.index}`} data-state={s.state}>
                <span class="dot" aria-hidden="true" />
                {s.index + 1}. {s.title ?? s.id ?? ''} <span class="muted">({s.state})</span>
                <span class="duration" data-testid="duration">
                  {took(s)}
                </span>
              </li>
            )}
          </For>
        </ol>
      </details>
    </section>
  );
}
