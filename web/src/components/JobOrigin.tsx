import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import type { JobView } from '../../../contracts/job.ts';

/**
 * Where the job came from, when not from the form (the schedule that fired it, the run it re-runs, the proposal
 * it was promoted from), and
 * the jobs that re-ran it.
 */
export function JobOrigin(props: { job: JobView; reruns: string[] }) {
  const origin = () => props.job.origin;
  const rerunOf = () => {
    const o = origin();
    return o && 'rerunOf' in o ? o.rerunOf : null;
  };
  const proposalId = () => {
    const o = origin();
    return o && 'proposalId' in o ? o.proposalId : null;
  };
  const scheduleId = () => {
    const o = origin();
    return o && 'scheduleId' in o ? o.scheduleId : null;
  };
  return (
    <>
      <Show when={scheduleId()}>
        {(id) => (
          <p data-testid="fired-by">
            Fired by schedule{' '}
            <A href={`/tasks/schedules#${encodeURIComponent(id())}`} class="mono">
              {id()}
            </A>
          </p>
        )}
      </Show>
      <Show when={rerunOf()}>
        {(id) => (
          <p data-testid="rerun-of">
            Re-run of{' '}
            <A href={`/tasks/queue/${encodeURIComponent(id())}`} class="mono">
              {id()}
            </A>
          </p>
        )}
      </Show>
      <Show when={props.reruns.length}>
        <p data-testid="rerun-as">
          Re-run as{' '}
          <For each={props.reruns}>
            {(id, i) => (
              <>
                {i() > 0 ? ', ' : ''}
                <A href={`/tasks/queue/${encodeURIComponent(id)}`} class="mono">
                  {id}
                </A>
              </>
            )}
          </For>
        </p>
      </Show>
      <Show when={proposalId()}>
        {(id) => (
          <p data-testid="promoted-from">
            Promoted from proposal{' '}
            <A href={`/tasks/proposals/${encodeURIComponent(id())}`} class="mono">
              {id()}
            </A>
          </p>
        )}
      </Show>
    </>
  );
}
