import { PassThrough } from 'node:stream';
import type { JobEvent } from '../../contracts/events.ts';
import type { Sql } from '../../db/client.ts';
import { eventsAfter } from '../../db/events.ts';
import { sseClients } from '../../lib/metrics/control-plane.ts';
import type { ApiContext } from '../context.ts';
import type { EventHub, Subscriber } from './hub.ts';

const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const frame = (e: JobEvent) => `id: ${e.id}\nevent: job_event\ndata: ${JSON.stringify(e)}\n\n`;

/**
 * Serve a job's events as Server-Sent Events: catch up from the cursor (Last-Event-ID), then live events
 * from the hub. Each event is written once, in id order (the subscriber keeps its own cursor, so events that
 * both the catch-up and the hub saw are not repeated). When the run has finished and everything was sent,
 * an `end` event carries the final status and the stream closes.
 */
export async function streamEvents(
  ctx: ApiContext,
  opts: {
    sql: Sql;
    hub: EventHub;
    jobId: string;
    cursor: number;
    finishedStatus: string | null;
  },
): Promise<void> {
  const out = new PassThrough();
  let cursor = opts.cursor;
  let live = false;
  let closed = false;
  let buffered: JobEvent[] = [];
  let endStatus: string | null = null;

  const write = (events: JobEvent[]) => {
    for (const e of events) {
      if (closed || e.id <= cursor) continue;
      out.write(frame(e));
      cursor = e.id;
      if (e.type === 'run.finished') endStatus ??= String(e.payload.status ?? 'finished');
    }
    // A client that stopped reading is cut off rather than buffered without bound; it resumes by Last-Event-ID.
    if (out.writableLength > MAX_BUFFERED_BYTES) {
      closed = true;
      out.end();
    }
  };
  const close = (status: string) => {
    if (closed) return;
    closed = true;
    out.end(`event: end\ndata: ${JSON.stringify({ status })}\n\n`);
  };
  const subscriber: Subscriber = {
    deliver(events) {
      if (!live) buffered.push(...events);
      else {
        write(events);
        if (endStatus) close(endStatus);
      }
    },
    ping() {
      if (!closed) out.write(': ping\n\n');
    },
    finish(status) {
      if (live) close(status);
      else endStatus ??= status;
    },
  };

  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    'X-Accel-Buffering': 'no',
  });
  ctx.status = 200;
  ctx.body = out;

  const unsubscribe = await opts.hub.subscribe(opts.jobId, subscriber);
  sseClients.inc();
  let counted = true;
  const cleanup = () => {
    closed = true;
    unsubscribe();
    // Both the response and the stream report their close: the client leaves the gauge once.
    if (counted) sseClients.dec();
    counted = false;
  };
  ctx.res.on('close', cleanup);
  out.on('close', cleanup);
  out.write(': connected\n\n');

  for (;;) {
    const events = await eventsAfter(opts.sql, opts.jobId, cursor);
    write(events);
    if (events.length === 0 || closed) break;
  }
  live = true;
  write(buffered);
  buffered = [];
  const finished = endStatus ?? opts.finishedStatus;
  if (finished) close(finished);
}
