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
  onDrop?: (error: Error, count: number) => void;
}

/**
 * Ordered, batched event delivery for one job attempt. Events get increasing `seq` numbers when emitted
 * and wait in memory until the API acknowledges them; an outage keeps the batch and retries it with
 * backoff, so nothing is lost and order is kept (a resent batch is harmless: the API dedups per seq).
 * A batch the API rejects outright (4xx) can never succeed and is dropped, reported through onDrop.
 */
export class EventReporter {
  private seq = 0;
  private readonly queue: EventBatch['events'] = [];
  private settledSeq = 0;
  private timer: NodeJS.Timeout | null = null;
  private pumping: Promise<void> | null = null;
  private waiters: { seq: number; resolve: () => void }[] = [];
  private readonly closed = new AbortController();
  private readonly interval: number;
  private readonly maxBatch: number;

  constructor(private readonly opts: EventReporterOptions) {
    this.interval = opts.flushIntervalMs ?? 200;
    this.maxBatch = opts.maxBatch ?? 200;
  }

  emit(event: ReportedEvent): void {
    this.seq += 1;
    this.queue.push({
      seq: this.seq,
      level: event.level ?? 'info',
      type: event.type,
      message: redact(event.message).slice(0, 64_000),
      payload: redactDeep(event.payload ?? {}),
      createdAt: new Date().toISOString(),
    });
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

  /** Flush, then stop retrying in the background. */
  async close(timeoutMs = 10_000): Promise<void> {
    await this.flush(timeoutMs);
    this.closed.abort();
    if (this.timer) clearTimeout(this.timer);
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

  private async pump() {
    let failures = 0;
    while (this.queue.length && !this.closed.signal.aborted) {
      const batch = this.queue.slice(0, this.maxBatch);
      try {
        await this.opts.client.postEvents(this.opts.jobId, {
          producer: this.opts.producer,
          events: batch,
        });
        failures = 0;
      } catch (err) {
        if (err instanceof ApiError && !err.retryable) {
          this.opts.onDrop?.(err, batch.length);
        } else {
          failures += 1;
          await sleep(Math.min(5_000, 100 * 2 ** Math.min(failures, 6)), this.closed.signal);
          continue;
        }
      }
      this.queue.splice(0, batch.length);
      this.settle(batch[batch.length - 1].seq);
    }
  }

  private settle(seq: number) {
    this.settledSeq = seq;
    const done = this.waiters.filter((w) => w.seq <= seq);
    this.waiters = this.waiters.filter((w) => w.seq > seq);
    for (const w of done) w.resolve();
  }
}
