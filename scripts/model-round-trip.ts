import { redact } from '../contracts/secrets.ts';
import type { ModelRuntime } from '../contracts/task.ts';

export interface RoundTrip {
  ok: boolean;
  /** `HTTP 200 in 35 ms`, or the exact error: the endpoint's status and answer, or the network error. */
  detail: string;
}

/**
 * The smallest streamed request of the API each CLI speaks (shared/notes/agent-clis.md), so a server that
 * serves the CLI serves this too: codex POST {base}/responses, claude POST {base}/v1/messages, gemini POST
 * {base}/v1beta/models/<model>:streamGenerateContent?alt=sse. One output token where the API allows it.
 */
function request(runtime: ModelRuntime, baseUrl: string, model: string, key: string | undefined) {
  const prompt = 'Reply with OK.';
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  switch (runtime) {
    case 'codex':
      if (key) headers.authorization = `Bearer ${key}`;
      // The Responses API refuses max_output_tokens below 16.
      return {
        url: `${baseUrl}/responses`,
        headers,
        body: { model, input: prompt, max_output_tokens: 16, stream: true, store: false },
      };
    case 'claude':
      if (key) headers['x-api-key'] = key;
      headers['anthropic-version'] = '2023-06-01';
      return {
        url: `${baseUrl}/v1/messages`,
        headers,
        body: { model, max_tokens: 1, stream: true, messages: [{ role: 'user', content: prompt }] },
      };
    case 'gemini':
      if (key) headers['x-goog-api-key'] = key;
      return {
        url: `${baseUrl}/v1beta/models/${encodeURIComponent(model)}:streamGenerateContent?alt=sse`,
        headers,
        body: {
          contents: [{ role: 'user', parts: [{ text: prompt }] }],
          generationConfig: { maxOutputTokens: 1 },
        },
      };
  }
}

/** What an endpoint said, one line, without the key or anything token-like. */
const shown = (text: string, key: string | undefined) =>
  redact(key ? text.split(key).join('[REDACTED]') : text)
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);

/** One request, its whole (streamed) answer read, within `timeoutMs`. */
export async function modelRoundTrip(
  runtime: ModelRuntime,
  baseUrl: string,
  model: string,
  key: string | undefined,
  timeoutMs: number,
): Promise<RoundTrip> {
  const { url, headers, body } = request(runtime, baseUrl, model, key);
  const started = Date.now();
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    const ms = Date.now() - started;
    if (res.ok) return { ok: true, detail: `HTTP ${res.status} in ${ms} ms` };
    return {
      ok: false,
      detail: `POST ${url} answered HTTP ${res.status}: ${shown(text, key) || '(no body)'}`,
    };
  } catch (err) {
    const e = err as Error & { cause?: Error };
    if (e.name === 'TimeoutError')
      return { ok: false, detail: `POST ${url}: no answer within ${Math.round(timeoutMs / 1000)} s` };
    return { ok: false, detail: `POST ${url}: ${shown(e.cause?.message ?? e.message, key)}` };
  }
}
