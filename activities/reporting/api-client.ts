import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { EventBatch } from '../../contracts/events.ts';
import { redactingLines } from '../../contracts/redacting-lines.ts';
import { redact, redactDeep } from '../../contracts/secrets.ts';
import { traceHeaders } from '../../lib/tracing.ts';

/**
 * The worker's side of the worker routes (`/api/worker/...`, docs/architecture.md): events, artifacts,
 * registration, authenticated with the worker token. Errors say whether retrying can help, so callers
 * retry outages and give up on requests the API will never accept.
 */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface RegisterBody {
  taskQueue: string;
  pool: string;
  hostId: string;
  hostQueue: string;
  capabilities: string[];
  jobTypes: string[];
  repositories: string[];
}

/** 5xx, 408, 429 and network failures are outages; other statuses are answers. */
const isRetryableStatus = (s: number) => s >= 500 || s === 408 || s === 429;

export class WorkerApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined,
  ) {}

  /** The token, and the active span's `traceparent` so the API's handler joins the run's trace. */
  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const all = { ...traceHeaders(), ...extra };
    return this.token ? { authorization: `Bearer ${this.token}`, ...all } : all;
  }

  private async send(method: string, path: string, init: RequestInit): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.baseUrl), { method, ...init });
    } catch (err) {
      throw new ApiError(`${method} ${path}: ${(err as Error).message}`, null, true);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      throw new ApiError(
        `${method} ${path}: HTTP ${res.status} ${redact(text.slice(0, 300))}`,
        res.status,
        isRetryableStatus(res.status),
      );
    }
    return res;
  }

  /** A live session's socket for a job's running step (ws:// or wss:// as the API's URL is http or https). */
  liveSessionSocket(jobId: string): { url: string; headers: Record<string, string> } {
    const url = new URL(`/api/worker/jobs/${encodeURIComponent(jobId)}/live-session/socket`, this.baseUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return { url: url.href, headers: this.headers() };
  }

  async postEvents(jobId: string, batch: EventBatch): Promise<void> {
    const res = await this.send('POST', `/api/worker/jobs/${encodeURIComponent(jobId)}/events`, {
      headers: this.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify(redactDeep(batch)),
      signal: AbortSignal.timeout(15_000),
    });
    await res.body?.cancel();
  }

  /** One upload try: the file streamed through the redactor (every artifact this worker makes is text). */
  async putArtifact(jobId: string, name: string, filePath: string, contentType: string): Promise<void> {
    await stat(filePath); // a missing file fails here, not as a half-sent request
    const body = Readable.toWeb(createReadStream(filePath).pipe(redactingLines())) as ReadableStream;
    const path = `/api/worker/jobs/${encodeURIComponent(jobId)}/artifacts/${name
      .split('/')
      .map(encodeURIComponent)
      .join('/')}`;
    const res = await this.send('PUT', path, {
      headers: this.headers({ 'content-type': contentType }),
      body,
      duplex: 'half',
      signal: AbortSignal.timeout(120_000),
    } as RequestInit);
    await res.body?.cancel();
  }

  async register(body: RegisterBody): Promise<unknown> {
    const res = await this.send('POST', '/api/worker/register', {
      headers: this.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    return res.json().catch(() => null);
  }

  /** Submit follow-up work a run's agent proposed (`proposals_write`); a duplicate answers with the open one. */
  async createProposal(body: Record<string, unknown>): Promise<{ id: string; duplicateOf?: string }> {
    const res = await this.send('POST', '/api/proposals', {
      headers: this.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    return (await res.json()) as { id: string; duplicateOf?: string };
  }

  /**
   * "Still alive, running these attempts" (the API's host monitor fails over the runs of a silent host), or
   * with `leaving`, "shutting down": routing stops sending runs here at once.
   */
  async ping(hostId: string, attempts: { jobId: string; attempt: number }[], leaving = false): Promise<void> {
    const res = await this.send('POST', '/api/worker/ping', {
      headers: this.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ hostId, attempts, ...(leaving ? { leaving } : {}) }),
      signal: AbortSignal.timeout(4_000),
    });
    await res.body?.cancel();
  }
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/** Exponential backoff capped at `maxMs`; retries only retryable ApiErrors (outages), nothing else. */
export async function withRetry<T>(
  fn: () => Promise<T>,
  opts: { attempts: number; baseMs?: number; maxMs?: number; signal?: AbortSignal },
): Promise<T> {
  const base = opts.baseMs ?? 200;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const retryable = err instanceof ApiError && err.retryable;
      if (!retryable || i >= opts.attempts || opts.signal?.aborted) throw err;
      await sleep(Math.min(opts.maxMs ?? 5_000, base * 2 ** (i - 1)), opts.signal);
    }
  }
}
