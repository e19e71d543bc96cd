import type { JobEvent } from '../../contracts/events.ts';
import { openSse } from '../api/sse-client.ts';
import type { Launcher } from './launcher.ts';

export interface FollowResult {
  /** Every job_event received, across connections, in arrival order. */
  events: JobEvent[];
  reconnects: number;
  /** The `end` event's status, or null when the follower gave up. */
  endStatus: string | null;
}

/**
 * A client following a run's SSE stream as EventSource does: on a dropped or refused connection it waits
 * `retryMs` and reconnects with Last-Event-ID = the last id it received.
 */
export async function followStream(
  launcher: Launcher,
  jobId: string,
  opts: { timeoutMs: number; retryMs?: number },
): Promise<FollowResult> {
  const deadline = Date.now() + opts.timeoutMs;
  const events: JobEvent[] = [];
  let reconnects = -1;
  while (Date.now() < deadline) {
    reconnects++;
    const last = events.at(-1)?.id;
    try {
      const stream = await openSse(`${launcher.apiUrl}/api/queue/jobs/${jobId}/events/stream`, {
        authorization: `Bearer ${launcher.token}`,
        ...(last ? { 'last-event-id': String(last) } : {}),
      });
      if (stream.status === 200) {
        const timer = setTimeout(() => stream.close(), Math.max(0, deadline - Date.now()));
        const end = await stream.ended;
        clearTimeout(timer);
        events.push(...stream.events);
        if (end) return { events, reconnects, endStatus: end.status };
      } else stream.close();
    } catch {
      // refused while the API is down: retry like a browser
    }
    await new Promise((r) => setTimeout(r, opts.retryMs ?? 500));
  }
  return { events, reconnects, endStatus: null };
}
