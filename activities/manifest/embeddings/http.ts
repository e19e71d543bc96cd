import { EmbeddingError, serverMessage } from './errors.ts';

/** How hard to try one batch: attempts in all, and the backoff between them. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** The first backoff (ms); doubled each retry, up to `maxDelayMs`, with full jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is cut to it (ms): a run does not sleep for an hour. */
  maxRetryAfterMs: number;
  /** One attempt's time limit (ms). */
  timeoutMs: number;
}
export const defaultRetryPolicy: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
  timeoutMs: 60_000,
};

export interface PostRequest {
  /** e.g. `openai`: the start of every error message. */
  provider: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** What an error must never repeat: the key and the batch's texts. */
  sensitive: readonly string[];
  signal: AbortSignal;
  policy: RetryPolicy;
  log?: (line: string) => void;
  /** e.g. `batch 3/10`: names the call in logs and errors. */
  label: string;
}

/** Statuses worth another try: timeouts, conflicts, rate limits and server errors. */
function retryable(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Retry-After as ms: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The error's own words from an OpenAI, Ollama or Google error body, else the raw text. */
function messageOf(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: string | { message?: string } };
    if (typeof j.error === 'string') return j.error;
    if (typeof j.error?.message === 'string') return j.error.message;
  } catch {
    // Not JSON: the raw text is the message.
  }
  return text;
}

/**
 * POSTs JSON and returns the parsed answer, retrying retryable statuses and network errors with exponential
 * backoff and full jitter (a Retry-After, when given, sets the wait) up to `policy.attempts`. The caller's
 * abort stops at once, between attempts too, and is rethrown as is.
 */
export async function postJson(req: PostRequest): Promise<unknown> {
  const { policy, signal } = req;
  const payload = JSON.stringify(req.body);
  let last = '';
  let lastStatus: number | undefined;
  for (let attempt = 1; ; attempt++) {
    signal.throwIfAborted();
    let wait: number | undefined;
    try {
      const res = await fetch(req.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...req.headers },
        body: payload,
        redirect: 'error',
        signal: AbortSignal.any([signal, AbortSignal.timeout(policy.timeoutMs)]),
      });
      const text = await res.text();
      if (res.ok) {
        try {
          return JSON.parse(text);
        } catch {
          throw new EmbeddingError(`${req.provider}: ${req.label}: the answer is not JSON`, true, res.status);
        }
      }
      const why = `HTTP ${res.status}: ${serverMessage(messageOf(text), req.sensitive)}`;
      if (!retryable(res.status))
        throw new EmbeddingError(`${req.provider}: ${req.label} refused (${why})`, true, res.status);
      last = why;
      lastStatus = res.status;
      const after = retryAfterMs(res.headers.get('retry-after'));
      if (after !== undefined) wait = Math.min(after, policy.maxRetryAfterMs);
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (err instanceof EmbeddingError) throw err;
      const e = err as Error & { cause?: { code?: string } };
      // A timeout or a dropped connection: worth another try. Node's fetch puts the cause's code aside.
      lastStatus = undefined;
      last = e.name === 'TimeoutError' ? `no answer in ${policy.timeoutMs} ms` : (e.cause?.code ?? e.message);
    }
    if (attempt >= policy.attempts)
      throw new EmbeddingError(
        `${req.provider}: ${req.label} failed after ${attempt} attempts (${last})`,
        false,
        lastStatus,
      );
    wait ??= Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    req.log?.(
      `embeddings ${req.provider}: ${req.label}: ${last}; retry ${attempt}/${policy.attempts - 1} in ${Math.round(wait)} ms`,
    );
    await sleep(wait, signal);
  }
}
