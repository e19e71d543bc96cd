import { A } from '@solidjs/router';
import { Show } from 'solid-js';
import { listJobs } from '../api/jobs.ts';
import { JobTable } from '../components/JobTable.tsx';
import { createPolledResource } from '../lib/poll.ts';

const active = ['running', 'awaiting_action', 'queued'] as const;

/** Active work: running, awaiting action and queued jobs, refreshed every 5 s. */
export function ActiveTasks() {
  const [jobs] = createPolledResource(
    () => true,
    async () => {
      const pages = await Promise.all(active.map((status) => listJobs({ status }, null, 50)));
      return pages.flatMap((p) => p.items);
    },
    5000,
  );
  return (
    <section>
      <div class="page-head">
        <h1>Active tasks</h1>
        <A href="/tasks/queue/new" class="button">
          New task
        </A>
      </div>
      <Show when={jobs()} fallback={<p class="muted">Loading…</p>}>
        {(list) => <JobTable jobs={list()} empty="Nothing is queued or running." />}
      </Show>
    </section>
  );
}
