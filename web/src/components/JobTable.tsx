import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import { type JobView, statusDetailOf } from '../../../contracts/job.ts';
import { stageLabel } from '../lib/events.ts';
import { formatDuration, formatTime, relativeTime, runDuration } from '../lib/format.ts';
import { safeHref } from '../lib/markdown.ts';
import { StatusBadge } from './StatusBadge.tsx';
import { WaitingChip } from './WaitingChip.tsx';

/**
 * Job rows as a table on wide screens, compact title-first cards on narrow ones (CSS only): what a run is,
 * where it is, what it made (branch, PR) or what went wrong, and when.
 */
export function JobTable(props: { jobs: JobView[]; empty: string }) {
  return (
    <Show when={props.jobs.length > 0} fallback={<p class="muted">{props.empty}</p>}>
      <table class="jobs" data-testid="job-table">
        <thead>
          <tr>
            <th scope="col">Task</th>
            <th scope="col">Status</th>
            <th scope="col">Stage</th>
            <th scope="col">Repository</th>
            <th scope="col">Branch / PR</th>
            <th scope="col">Runtime</th>
            <th scope="col">Created</th>
            <th scope="col">Duration</th>
          </tr>
        </thead>
        <tbody>
          <For each={props.jobs}>
            {(job) => {
              const duration = runDuration(job);
              return (
                <tr data-testid="job-row" data-job-id={job.id}>
                  <td data-label="Task" class="job-title">
                    <A href={`/tasks/queue/${job.id}`}>{job.title || job.id}</A>
                    <Show when={job.error}>
                      <span class="job-error" data-testid="job-error" title={job.error ?? ''}>
                        {job.error}
                      </span>
                    </Show>
                  </td>
                  <td data-label="Status">
                    <StatusBadge status={job.status} detail={statusDetailOf(job)} />
                    <WaitingChip reason={job.waitingReason} />
                  </td>
                  <td data-label="Stage" data-testid="job-stage" classList={{ empty: !job.stage }}>
                    {stageLabel(job.stage)}
                  </td>
                  <td data-label="Repository" class="wrap">
                    {job.repository}
                  </td>
                  <td data-label="Branch / PR" class="wrap" classList={{ empty: !job.branch && !job.prUrl }}>
                    <Show when={job.branch} fallback="—">
                      <span class="mono" data-testid="job-branch">
                        {job.branch}
                      </span>
                    </Show>
                    <Show when={job.prUrl}>
                      {(url) => (
                        <>
                          {' '}
                          <a
                            href={safeHref(url()) ?? undefined}
                            target="_blank"
                            rel="noopener noreferrer"
                            data-testid="pr-link"
                          >
                            PR
                          </a>
                        </>
                      )}
                    </Show>
                  </td>
                  <td data-label="Runtime">{job.runtime}</td>
                  <td data-label="Created">
                    <time
                      datetime={job.createdAt}
                      title={formatTime(job.createdAt)}
                      data-testid="job-created"
                    >
                      {relativeTime(job.createdAt)}
                    </time>
                  </td>
                  <td
                    data-label="Duration"
                    data-testid="job-duration"
                    classList={{ empty: duration === null }}
                  >
                    {duration === null ? '—' : formatDuration(duration)}
                  </td>
                </tr>
              );
            }}
          </For>
        </tbody>
      </table>
    </Show>
  );
}
