import { CancellationScope, condition, log } from '@temporalio/workflow';
import type { EventInput, EventLevel } from '../contracts/events.ts';
import { controlPlane } from './activities.ts';

type Event = Omit<EventInput, 'seq'>;

/**
 * The run's own job events (`run.*`, `control.*`), written in order by one background loop so signal
 * handlers stay synchronous. Sequence numbers come from the workflow, so a retried batch is a no-op in the
 * store. The loop is not cancellable: a cancelled run still records why it ended.
 */
export class EventLog {
  private pending: Event[] = [];
  private sent = 0;
  private closing = false;
  private inFlight = false;
  private readonly done: Promise<void>;

  constructor(private readonly jobId: string) {
    this.done = CancellationScope.nonCancellable(() => this.flushLoop());
  }

  emit(
    type: string,
    message: string,
    payload: Record<string, unknown> = {},
    level: EventLevel = 'info',
  ): void {
    this.pending.push({ type, message, payload, level, createdAt: new Date().toISOString() });
  }

  /** Wait until everything emitted so far is stored (or given up on); the log stays open. */
  async flushed(): Promise<void> {
    await condition(() => this.pending.length === 0 && !this.inFlight);
  }

  /** Flush and stop: the run is ending. */
  async close(): Promise<void> {
    this.closing = true;
    await this.done;
  }

  private async flushLoop(): Promise<void> {
    for (;;) {
      await condition(() => this.pending.length > 0 || this.closing);
      if (this.pending.length === 0) return;
      const events = this.pending.splice(0, 200);
      const firstSeq = this.sent;
      this.sent += events.length;
      this.inFlight = true;
      try {
        await controlPlane.recordEvents({ jobId: this.jobId, firstSeq, events });
      } catch (err) {
        // Events are the run's narration, not its state: losing a batch must not fail the run.
        log.warn('job events could not be recorded', { count: events.length, error: String(err) });
      } finally {
        this.inFlight = false;
      }
    }
  }
}
