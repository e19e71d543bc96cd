import { createSignal } from 'solid-js';
import type { JobView } from '../../../../contracts/job.ts';
import { isTerminal } from '../../../../contracts/status.ts';
import { getJob } from '../../api/jobs.ts';
import { createPolledResource } from '../../lib/poll.ts';

/** Polls one job until it ends; `ended()` then holds its last view (polling stops there). */
export function createJobWatch(jobId: () => string | null) {
  const [ended, setEnded] = createSignal<JobView | null>(null);
  const [job, { error }] = createPolledResource(
    () => !ended() && jobId(),
    async (id: string) => {
      const j = await getJob(id);
      if (isTerminal(j.status)) setEnded(j);
      return j;
    },
    1500,
  );
  return { job: () => ended() ?? job(), ended, error, reset: () => setEnded(null) };
}
