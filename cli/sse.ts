import type { JobEvent } from '../contracts/events.ts';
import { CliError, exitCodes } from './exit-codes.ts';
import { type ApiClient, ApiError, ApiUnreachable } from './http.ts';

export interface FollowOptions {
  /** Resume after this event id (0: from the start). */
  after?: number;
  onEvent(event: JobEvent): void;
  /** Told once per lost connection, with the wait before the next try. */
  onReconnect?(delayMs: number, reason: string): void;
  /** Give up after this long without a connection. */
  giveUpMs?: number;
  /** A connection silent this long (no event, no heartbeat) is taken for dead and made again. */
  idleMs?: number;
}

/** The API pings every 15 s: three missed heartbeats mean the connection is gone (a proxy black-holed it). */
const IDLE_MS = 45_000;

const MAX_BACKOFF_MS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Follow a job's event stream until the run ends; the `end` event's status is returned. A dropped
 * connection (an API restart, a proxy timeout) is resumed with Last-Event-ID, after a backoff that starts at
 * 250 ms and doubles to 10 s, so each event is handed over once and in order.
 */
export async function followEvents(api: ApiClient, jobId: string, opts: FollowOptions): Promise<string> {
  let lastId = opts.after ?? 0;
  let delay = 250;
  let downSince: number | null = null;
  const giveUpMs = opts.giveUpMs ?? 5 * 60_000;
  const idleMs = opts.idleMs ?? IDLE_MS;
  for (;;) {
    let reason: string;
    const controller = new AbortController();
    let idle: NodeJS.Timeout | undefined;
    const alive = () => {
      clearTimeout(idle);
      idle = setTimeout(() => controller.abort(new Error(`nothing heard for ${idleMs / 1000} s`)), idleMs);
    };
    try {
      alive();
      const res = await api.fetch(`/api/queue/jobs/${jobId}/events/stream`, {
        headers: { accept: 'text/event-stream', 'last-event-id': String(lastId) },
        signal: controller.signal,
      });
      downSince = null;
      delay = 250;
      const end = await readStream(res, alive, (e) => {
        if (e.id <= lastId) return;
        lastId = e.id;
        opts.onEvent(e);
      });
      if (end !== null) return end;
      reason = 'the stream closed before the run ended';
    } catch (err) {
      // A lost connection or a restarting API is worth waiting for; a refused token or a missing job is not.
      const retry =
        controller.signal.aborted ||
        err instanceof ApiUnreachable ||
        isDropped(err) ||
        (err instanceof ApiError && err.status >= 500);
      if (!retry) throw err;
      reason = controller.signal.aborted
        ? String((controller.signal.reason as Error).message)
        : (err as Error).message;
    } finally {
      clearTimeout(idle);
    }
    downSince ??= Date.now();
    if (Date.now() - downSince > giveUpMs) {
      throw new CliError(`gave up following job ${jobId}: ${reason}`, exitCodes.api);
    }
    opts.onReconnect?.(delay, reason);
    await sleep(delay);
    delay = Math.min(delay * 2, MAX_BACKOFF_MS);
  }
}

/** A body read cut short (the server went away mid-stream). */
const isDropped = (err: unknown) => err instanceof TypeError || (err as Error)?.name === 'AbortError';

/** Read Server-Sent Events until the stream closes: the `end` event's status, or null without one; `alive` on each chunk. */
async function readStream(
  res: Response,
  alive: () => void,
  onEvent: (e: JobEvent) => void,
): Promise<string | null> {
  if (!res.body) return null;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) return null;
    alive();
    buffer += chunk.value.replaceAll('\r\n', '\n');
    for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const { event, data } = fieldsOf(block);
      if (event === 'job_event' && data) onEvent(JSON.parse(data) as JobEvent);
      else if (event === 'end' && data) {
        await reader.cancel().catch(() => {});
        return String((JSON.parse(data) as { status?: unknown }).status ?? 'finished');
      }
    }
  }
}

/** One event block's fields (comments, e.g. `: ping`, skipped; multi-line data joined). */
function fieldsOf(block: string): { event: string; data: string } {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (!line || line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const name = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (name === 'event') event = value;
    else if (name === 'data') data.push(value);
  }
  return { event, data: data.join('\n') };
}
