import type { JobView } from '../contracts/job.ts';
import { isTerminal } from '../contracts/status.ts';
import { type ApiClient, ApiError, ApiUnreachable } from './http.ts';
import { note } from './output.ts';
import { type FollowOptions, followEvents } from './sse.ts';

/**
 * Follow a job until its run ends and return the job as it ended. The stream's `end` says when; the job view
 * says how (its status is the one lists and the dashboard show), read again briefly if it lags the stream.
 */
export async function untilFinished(
  api: ApiClient,
  jobId: string,
  opts: Partial<FollowOptions> = {},
): Promise<JobView> {
  await followEvents(api, jobId, {
    onEvent: () => {},
    onReconnect: (ms, reason) => note(`moonmind: connection lost (${reason}); retrying in ${ms} ms`),
    ...opts,
  });
  for (let tries = 0; ; tries++) {
    const job = await api.get<JobView>(`/api/queue/jobs/${jobId}`).catch((err) => {
      // The run has ended: an API that went away just then is waited for (about 30 s) like the stream is.
      const passing = err instanceof ApiUnreachable || (err instanceof ApiError && err.status >= 500);
      if (!passing || tries >= 60) throw err;
      return null;
    });
    if (job && (isTerminal(job.status) || tries >= 20)) return job;
    await new Promise((r) => setTimeout(r, job ? 250 : 500));
  }
}
