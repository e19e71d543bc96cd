import { A } from '@solidjs/router';
import { createSignal, type JSX, Show } from 'solid-js';
import { type JobView, statusDetailOf } from '../../../contracts/job.ts';
import { isTerminal } from '../../../contracts/status.ts';
import { stageLabel, stepOf, type Timeline } from '../lib/events.ts';
import { formatElapsed } from '../lib/format.ts';
import { createNow } from '../lib/now.ts';
import { safeHref } from './JobSummary.tsx';
import { StatusBadge } from './StatusBadge.tsx';
import { WaitingChip } from './WaitingChip.tsx';

/**
 * The run page's sticky head: title, status, stage, step, elapsed time, branch and pull request, and the
 * primary actions (`children`: the controls), so they stay in reach while the log scrolls. On a narrow
 * screen the controls are one tap away instead.
 */
export function RunHeader(props: { job: JobView; timeline: Timeline; children: JSX.Element }) {
  const j = () => props.job;
  const now = createNow(() => !isTerminal(j().status));
  // On a narrow screen the controls fold away behind a button, so the log starts on the first screen.
  const [actionsOpen, setActionsOpen] = createSignal(false);
  const started = () => j().startedAt ?? props.timeline.startedAt;
  const elapsed = () => {
    const from = started();
    if (!from) return '—';
    const to = j().finishedAt ? Date.parse(j().finishedAt!) : now();
    return formatElapsed(Math.max(0, to - Date.parse(from)));
  };
  const step = () => {
    const s = j().step;
    return s ? `${s.index + 1}/${s.count}` : (stepOf(props.timeline.steps) ?? '—');
  };
  return (
    <header class="run-header" data-testid="run-header">
      <div class="run-title">
        <h1 class="wrap" data-testid="job-title">
          {j().title}
        </h1>
        <A href="/tasks/queue" class="muted">
          Back to queue
        </A>
      </div>
      <dl class="run-facts">
        <dt class="visually-hidden">Status</dt>
        <dd>
          <StatusBadge status={j().status} detail={statusDetailOf(j())} />
          <WaitingChip reason={j().status === 'queued' ? j().waitingReason : null} />
        </dd>
        <dt>Stage</dt>
        <dd data-testid="header-stage">{stageLabel(j().stage)}</dd>
        <dt>Step</dt>
        <dd data-testid="header-step">{step()}</dd>
        <dt>Elapsed</dt>
        <dd data-testid="header-elapsed">{elapsed()}</dd>
        <Show when={j().branch}>
          <dt>Branch</dt>
          <dd class="wrap mono" data-testid="header-branch">
            {j().branch}
          </dd>
        </Show>
        <dd class="actions-toggle">
          <button
            type="button"
            class="secondary small"
            aria-expanded={actionsOpen()}
            aria-controls="run-actions"
            onClick={() => setActionsOpen(!actionsOpen())}
            data-testid="actions-toggle"
          >
            Controls
          </button>
        </dd>
        <Show when={j().prUrl}>
          {(url) => (
            <dd>
              <a href={safeHref(url())} target="_blank" rel="noopener noreferrer">
                Pull request
              </a>
            </dd>
          )}
        </Show>
      </dl>
      <div class="run-actions" classList={{ open: actionsOpen() }} id="run-actions">
        {props.children}
      </div>
    </header>
  );
}
