import type { JobEvent } from '../../contracts/events.ts';
import type { Sql } from '../../db/client.ts';
import { eventsAfter, lastEventId } from '../../db/events.ts';

const PAGE = 500;

/** One SSE connection as the hub sees it. */
export interface Subscriber {
  deliver(events: JobEvent[]): void;
  ping(): void;
  /** The run finished and every event so far was delivered. */
  finish(status: string): void;
}

interface JobStream {
  subscribers: Set<Subscriber>;
  /** Highest event id fetched and handed to the subscribers. */
  lastId: number;
  fetching: Promise<void> | null;
  again: boolean;
}

/**
 * Fan-out of job events to SSE connections. The API holds ONE Postgres LISTEN connection (`job_events`);
 * a notification for a job with subscribers triggers one query for everything newer than the last fetched id,
 * delivered to all of that job's subscribers — many viewers of one job cost one query per notification.
 * A timer pings every subscriber and asks `finishedStatus` once per watched job whether its run ended (runs
 * ended by Temporal itself send no `run.finished` event).
 */
export class EventHub {
  private readonly streams = new Map<string, JobStream>();
  private listening: { unlisten(): Promise<void> } | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sql: Sql,
    private readonly finishedStatus: (jobId: string) => Promise<string | null>,
    private readonly heartbeatMs: number,
  ) {}

  async start(): Promise<void> {
    this.listening = await this.sql.listen('job_events', (jobId) => this.notify(jobId));
    this.timer = setInterval(() => void this.tick(), this.heartbeatMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.listening?.unlisten().catch(() => {});
    this.listening = null;
  }

  /** Watch a job. Events stored after this call resolves reach `subscriber.deliver` (ids may overlap a catch-up). */
  async subscribe(jobId: string, subscriber: Subscriber): Promise<() => void> {
    let stream = this.streams.get(jobId);
    if (!stream) {
      const created: JobStream = { subscribers: new Set(), lastId: 0, fetching: null, again: false };
      this.streams.set(jobId, created);
      created.lastId = await lastEventId(this.sql, jobId);
      stream = created;
    }
    stream.subscribers.add(subscriber);
    const joined = stream;
    return () => {
      joined.subscribers.delete(subscriber);
      if (joined.subscribers.size === 0 && this.streams.get(jobId) === joined) this.streams.delete(jobId);
    };
  }

  /** Jobs with live subscribers, and queries run for notifications (one per notification, however many viewers). */
  readonly stats = { fetches: 0 };
  get watchedJobs(): number {
    return this.streams.size;
  }

  notify(jobId: string): void {
    const stream = this.streams.get(jobId);
    if (!stream) return;
    if (stream.fetching) {
      stream.again = true;
      return;
    }
    stream.fetching = this.fetch(jobId, stream).finally(() => {
      stream.fetching = null;
      if (stream.again) {
        stream.again = false;
        this.notify(jobId);
      }
    });
  }

  private async fetch(jobId: string, stream: JobStream): Promise<void> {
    for (;;) {
      this.stats.fetches++;
      const events = await eventsAfter(this.sql, jobId, stream.lastId, PAGE).catch(() => []);
      if (events.length === 0) return;
      stream.lastId = events[events.length - 1].id;
      for (const s of stream.subscribers) s.deliver(events);
      if (events.length < PAGE) return;
    }
  }

  private async tick(): Promise<void> {
    for (const [jobId, stream] of this.streams) {
      for (const s of stream.subscribers) s.ping();
      const status = await this.finishedStatus(jobId).catch(() => null);
      if (status === null) continue;
      this.notify(jobId);
      await stream.fetching;
      for (const s of stream.subscribers) s.finish(status);
    }
  }
}
