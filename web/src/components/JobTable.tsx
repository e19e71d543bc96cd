import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import { type JobView, statusDetailOf } from '../../../contracts/job.ts';
import { stageLabel } from '../lib/events.ts';
import { formatTime } from '../lib/format.ts';
import { StatusBadge } from './StatusBadge.tsx';

/** Job rows as a table on wide screens, stacked cards on narrow ones (CSS only). */
export function JobTable(props: { jobs: JobView[]; empty: string }) {
  return (
    <Show when={props.jobs.length > 0} fallback={<p class="muted">{props.empty}</p>}>
      <table class="jobs" data-testid="job-table">
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Task</th>
            <th scope="col">Runtime</th>
            <th scope="col">Skill</th>
            <th scope="col">Repository</th>
            <th scope="col">Publish</th>
            <th scope="col">Stage</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          <For each={props.jobs}>
            {(job) => (
              <tr data-testid="job-row" data-job-id={job.id}>
                <td data-label="Status">
                  <StatusBadge status={job.status} detail={statusDetailOf(job)} />
                </td>
                <td data-label="Task">
                  <A href={`/tasks/queue/${job.id}`}>{job.title || job.id}</A>
                </td>
                <td data-label="Runtime">{job.runtime}</td>
                <td data-label="Skill">{job.skill}</td>
                <td data-label="Repository" class="wrap">
                  {job.repository}
                </td>
                <td data-label="Publish">{job.publishMode}</td>
                <td data-label="Stage">{stageLabel(job.stage)}</td>
                <td data-label="Created">{formatTime(job.createdAt)}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </Show>
  );
}
