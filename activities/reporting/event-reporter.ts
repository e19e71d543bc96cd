import type { EventBatch, EventLevel } from '../../contracts/events.ts';
import { redact, redactDeep } from '../../contracts/secrets.ts';
import { ApiError, sleep, type WorkerApiClient } from './api-client.ts';

export interface ReportedEvent {
  level?: EventLevel;
  type: string;
  message: string;
  payload?: Record<string, unknown>;
}

export interface EventReporterOptions {
  client: Pick<WorkerApiClient, 'postEvents'>;
  jobId: string;
  /** `<hostId>:<jobId>:<attempt>`: with `seq`, the key the API deduplicates on. */
  producer: string;
  flushIntervalMs?: number;
  maxBatch?: number;
  /** Largest request body (bytes of JSON); the API takes at most 1 MB. */
  maxBatchBytes?: number;
  /** How long an outage may keep events undelivered before they are given up (default 10 minutes). */
  maxOutageMs?: number;
  /** Events given up on (never silently): the worker logs it; the run gets a warning event too. */
  onDrop?: (error: Error, count: number) => void;
}

type Queued = EventBatch['events'][number] & { bytes: number; replacement?: true };

/**
 * Ordered, batched event delivery for one job attempt. Events get increasing `seq` numbers when emitted
 * and wait in memory until the API acknowledges them; an outage keeps the batch and retries it with
 * backoff, so nothing is lost and order is kept (a resent batch is harmless: the API dedups per seq).
 * Batches stay under the API's body limit. A batch the API refuses (4xx) is split until the refused event is
 * found; that one event is replaced, under its own seq, by a warning that says why, and the rest go through.
 * An outage longer than `maxOutageMs` gives the waiting events up, replaced by one warning; every give-up is
 * reported through onDrop, so nothing disappears without a line in the worker's log and on the run.
 */
export class EventReporter {
  private seq = 0;
  private readonly queue: Queued[] = [];
  private settledSeq = 0;
  private timer: NodeJS.Timeout | null = null;
  private pumping: Promise<void> | null = null;
  private waiters: { seq: number; resolve: () => void }[] = [];
  private readonly closed = new AbortController();
  private readonly interval: number;
  private readonly maxBatch: number;
  private readonly maxBytes: number;
  /** Events per request while a refused batch is being narrowed down. */
  private limit: number;

  constructor(private readonly opts: EventReporterOptions) {
    this.interval = opts.flushIntervalMs ?? 200;
    this.maxBatch = opts.maxBatch ?? 200;
    this.maxBytes = opts.maxBatchBytes ?? 768 * 1024;
    this.limit = this.maxBatch;
  }

  emit(event: ReportedEvent): void {
    this.seq += 1;
    this.enqueue({
      seq: this.seq,
      level: event.level ?? 'info',
      type: event.type,
      message: redact(event.message).slice(0, 64_000),
      payload: redactDeep(event.payload ?? {}),
      createdAt: new Date().toISOString(),
    });
  }

  private enqueue(event: EventBatch['events'][number], at = this.queue.length, replacement = false) {
    const queued: Queued = { ...event, bytes: Buffer.byteLength(JSON.stringify(event)) };
    if (replacement) queued.replacement = true;
    this.queue.splice(at, 0, queued);
    if (this.queue.length >= this.maxBatch) this.kick();
    else if (!this.timer && !this.pumping) {
      this.timer = setTimeout(() => this.kick(), this.interval);
      this.timer.unref();
    }
  }

  /** Resolves true once every event emitted so far was delivered (or dropped), false on timeout. */
  async flush(timeoutMs = 30_000): Promise<boolean> {
    const target = this.seq;
    if (this.settledSeq >= target) return true;
    this.kick();
    let timeout: NodeJS.Timeout | undefined;
    const delivered = new Promise<boolean>((resolve) => {
      this.waiters.push({ seq: target, resolve: () => resolve(true) });
    });
    const expired = new Promise<boolean>((resolve) => {
      timeout = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([delivered, expired]);
    } finally {
      clearTimeout(timeout);
    }
  }

  /** Flush, then stop retrying in the background; what is still undelivered is reported, not lost silently. */
  async close(timeoutMs = 10_000): Promise<void> {
    await this.flush(timeoutMs);
    this.closed.abort();
    if (this.timer) clearTimeout(this.timer);
    if (this.queue.length)
      this.opts.onDrop?.(new Error('the API did not take them before the attempt closed'), this.queue.length);
  }

  private kick() {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.pumping && !this.closed.signal.aborted) {
      this.pumping = this.pump().finally(() => {
        this.pumping = null;
        if (this.queue.length && !this.closed.signal.aborted) this.kick();
      });
    }
  }

  /** The next request: in order, at most `limit` events and `maxBytes` of JSON (at least one event). */
  private nextBatch(): Queued[] {
    const batch: Queued[] = [];
    let bytes = 0;
    for (const e of this.queue) {
      if (batch.length >= this.limit || (batch.length && bytes + e.bytes > this.maxBytes)) break;
      batch.push(e);
      bytes += e.bytes;
    }
    return batch;
  }

  private async pump() {
    let failures = 0;
    let failingSince = 0;
    while (this.queue.length && !this.closed.signal.aborted) {
      const batch = this.nextBatch();
      try {
        await this.opts.client.postEvents(this.opts.jobId, {
          producer: this.opts.producer,
          events: batch.map(({ bytes: _, replacement: __, ...e }) => e),
        });
        failures = 0;
        failingSince = 0;
        this.limit = Math.min(this.maxBatch, this.limit * 2);
      } catch (err) {
        if (err instanceof ApiError && !err.retryable) {
          if (batch.length > 1) {
            this.limit = Math.ceil(batch.length / 2);
            continue;
          }
          this.refused(batch[0], err);
          continue;
        }
        failures += 1;
        failingSince ||= Date.now();
        if (Date.now() - failingSince > (this.opts.maxOutageMs ?? 600_000)) {
          this.giveUp(err as Error);
          failingSince = Date.now();
          continue;
        }
        await sleep(Math.min(5_000, 100 * 2 ** Math.min(failures, 6)), this.closed.signal);
        continue;
      }
      this.queue.splice(0, batch.length);
      this.settle(batch[batch.length - 1].seq);
    }
  }

  /** One event the API will never take: a warning under its seq says so (once; a refused warning is dropped). */
  private refused(event: Queued, err: ApiError) {
    this.queue.shift();
    this.opts.onDrop?.(err, 1);
    if (event.replacement) {
      this.settle(event.seq);
      return;
    }
    this.enqueue(
      {
        seq: event.seq,
        level: 'warn',
        type: 'event.rejected',
        message: `An event (${event.type}) was refused by the API and set aside: ${err.message.slice(0, 500)}`,
        payload: { originalType: event.type, status: err.status },
        createdAt: event.createdAt,
      },
      0,
      true,
    );
  }

  /** A long outage: the waiting events are given up, one warning (under the first one's seq) stands for them. */
  private giveUp(err: Error) {
    const dropped = this.queue.splice(0, this.queue.length);
    this.opts.onDrop?.(err, dropped.length);
    const first = dropped[0];
    this.enqueue(
      {
        seq: first.seq,
        level: 'warn',
        type: 'event.undelivered',
        message: `${dropped.length} event(s) could not be delivered while the API was unreachable: ${err.message.slice(0, 300)}`,
        payload: { count: dropped.length, firstSeq: first.seq, lastSeq: dropped[dropped.length - 1].seq },
        createdAt: first.createdAt,
      },
      0,
      true,
    );
    const settled = dropped[dropped.length - 1].seq;
    if (settled > first.seq) this.settle(settled);
  }

  private settle(seq: number) {
    this.settledSeq = Math.max(this.settledSeq, seq);
    const done = this.waiters.filter((w) => w.seq <= seq);
    this.waiters = this.waiters.filter((w) => w.seq > seq);
    for (const w of done) w.resolve();
  }
}
