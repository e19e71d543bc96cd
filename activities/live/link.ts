import WebSocket from 'ws';
import { type ToWorkerFrame, toWorkerFrameSchema, type WorkerFrame } from '../../contracts/live-session.ts';

type Hello = Omit<Extract<WorkerFrame, { t: 'hello' }>, 't'>;

export interface LinkOptions {
  url: string;
  headers: Record<string, string>;
  hello: Hello;
  onFrame(frame: ToWorkerFrame): void;
  /** Once at most: the link could not be opened (`opened` false) or broke off. */
  onFailure(reason: string, opened: boolean): void;
  /** Output was dropped while the socket was backed up; it drained: send a fresh screen. */
  onResync(): void;
}

/** Small chunks are sent together: a 5 MB burst must not become 100k frames. */
const FLUSH_MS = 5;
const FLUSH_BYTES = 16 * 1024;
/** Unsent bytes over which output is dropped (and the viewer resynced later) rather than queued. */
const BACKED_UP = 1024 * 1024;
/** The API takes 30 s of silence for a lost link. */
const PING_MS = 10_000;

/**
 * The worker's side of a live session's socket (`/api/worker/jobs/{jobId}/live-session/socket`), dialled out
 * to the API: `hello` first, then frames both ways. The agent's output never waits for the socket.
 */
export class LiveLink {
  private readonly ws: WebSocket;
  private pending = '';
  private timer: NodeJS.Timeout | undefined;
  private behind: NodeJS.Timeout | undefined;
  private readonly ping: NodeJS.Timeout;
  private failed = false;
  private closing = false;
  private readonly closed: Promise<void>;

  constructor(private readonly opts: LinkOptions) {
    this.ws = new WebSocket(opts.url, { headers: opts.headers, handshakeTimeout: 10_000 });
    let opened = false;
    this.ws.on('open', () => {
      opened = true;
      this.send({ t: 'hello', ...opts.hello });
    });
    this.ws.on('message', (raw) => {
      const frame = parseFrame(raw.toString());
      if (frame) opts.onFrame(frame);
    });
    this.ws.on('error', (err) => this.fail(err.message, opened));
    this.closed = new Promise((resolve) =>
      this.ws.on('close', (code, reason) => {
        if (!this.closing && opened)
          this.fail(`the API closed the link (${code}${reason.length ? ` ${reason}` : ''})`, true);
        this.stopTimers();
        resolve();
      }),
    );
    this.ping = setInterval(() => this.ws.readyState === WebSocket.OPEN && this.ws.ping(), PING_MS);
    this.ping.unref();
  }

  send(frame: WorkerFrame): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  /** Terminal output, batched; dropped while the socket is backed up. */
  out(data: string): void {
    if (this.behind) return;
    this.pending += data;
    if (this.pending.length >= FLUSH_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** Step end: what is batched goes out, then the socket closes normally (1000). */
  async close(): Promise<void> {
    this.flush();
    this.closing = true;
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.close(1000, 'step ended');
    await Promise.race([this.closed, new Promise((r) => setTimeout(r, 2_000).unref())]);
    this.stopTimers();
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
  }

  /** Send what is batched now: before a screen, whose content already holds it (else viewers see it twice). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const data = this.pending;
    this.pending = '';
    if (!data || this.ws.readyState !== WebSocket.OPEN) return;
    if (this.ws.bufferedAmount > BACKED_UP) {
      this.behind = setInterval(() => {
        if (this.ws.bufferedAmount > BACKED_UP / 4) return;
        clearInterval(this.behind);
        this.behind = undefined;
        this.opts.onResync();
      }, 50);
      return;
    }
    this.send({ t: 'out', d: data });
  }

  private fail(reason: string, opened: boolean): void {
    if (this.failed || this.closing) return;
    this.failed = true;
    this.opts.onFailure(reason, opened);
  }

  private stopTimers(): void {
    clearTimeout(this.timer);
    clearInterval(this.behind);
    clearInterval(this.ping);
    this.behind = undefined;
  }
}

/** What the API sends, checked against the contract; anything else is ignored. */
function parseFrame(text: string): ToWorkerFrame | null {
  try {
    return toWorkerFrameSchema.safeParse(JSON.parse(text)).data ?? null;
  } catch {
    return null;
  }
}
