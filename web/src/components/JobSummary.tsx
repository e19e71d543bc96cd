import { Show } from 'solid-js';
import { type JobView, statusDetailOf } from '../../../contracts/job.ts';
import { stageLabel, stepOf, type Timeline } from '../lib/events.ts';
import { formatTime } from '../lib/format.ts';
import { StatusBadge } from './StatusBadge.tsx';
import { WaitingChip } from './WaitingChip.tsx';

/** Status, stage, step, attempt, worker, times, cancel marker, Temporal and forge links. */
export function JobSummary(props: { job: JobView; timeline: Timeline; cancelRequestedAt: string | null }) {
  const j = () => props.job;
  // A finished run's view has no live state: attempt, worker, step and start come from its events then.
  const step = () => {
    const s = j().step;
    return s ? `${s.index + 1}/${s.count}` : (stepOf(props.timeline.steps) ?? '—');
  };
  const attempt = () => j().attempt || props.timeline.attempt || 0;
  return (
    <section class="card summary" aria-label="Summary" data-testid="job-summary">
      <div class="summary-head">
        <StatusBadge status={j().status} detail={statusDetailOf(j())} />
        <WaitingChip reason={j().status === 'queued' ? j().waitingReason : null} />
        <Show when={props.cancelRequestedAt}>
          <span class="marker marker-warn" data-testid="cancel-requested">
            cancel requested {formatTime(props.cancelRequestedAt)}
          </span>
        </Show>
      </div>
      <dl class="facts">
        <dt>Stage</dt>
        <dd data-testid="job-stage">{stageLabel(j().stage)}</dd>
        <dt>Step</dt>
        <dd data-testid="job-step">{step()}</dd>
        <dt>Attempt</dt>
        <dd data-testid="job-attempt">
          {attempt()}/{j().maxAttempts}
        </dd>
        <dt>Worker</dt>
        <dd>{j().worker ?? props.timeline.host ?? '—'}</dd>
        <dt>Runtime</dt>
        <dd>{j().runtime}</dd>
        <dt>Repository</dt>
        <dd class="wrap">{j().repository}</dd>
        <dt>Created</dt>
        <dd>{formatTime(j().createdAt)}</dd>
        <dt>Started</dt>
        <dd>{formatTime(j().startedAt ?? props.timeline.startedAt)}</dd>
        <dt>Finished</dt>
        <dd>{formatTime(j().finishedAt)}</dd>
        {/* Every row is always there (— when empty) so the page below never jumps while a run streams. */}
        <dt>Waiting</dt>
        <dd class="wrap">{j().waitingReason ?? '—'}</dd>
        <dt>Branch</dt>
        <dd class="wrap" data-testid="job-branch">
          {j().branch ?? '—'}
        </dd>
        <dt>Pull request</dt>
        <dd class="wrap">
          <Show when={j().prUrl} fallback="—">
            {(url) => (
              <a href={safeHref(url())} target="_blank" rel="noopener noreferrer" data-testid="pr-link">
                {url()}
              </a>
            )}
          </Show>
        </dd>
        <dt>Error</dt>
        <dd class="wrap error-text">{j().error ?? '—'}</dd>
      </dl>
      <p>
        <a
          href={safeHref(j().temporal.url)}
          target="_blank"
          rel="noopener noreferrer"
          data-testid="temporal-link"
        >
          Open in Temporal Web UI
        </a>
      </p>
    </section>
  );
}

/** Only http(s) links from run data become hrefs (no javascript: URLs). */
export const safeHref = (url: string) => (/^https?:\/\//i.test(url) ? url : '#');
