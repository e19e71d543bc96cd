import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A TEST DOUBLE of embedding model servers (no model runs offline): one local HTTP server that speaks the
 * OpenAI-compatible `POST /v1/embeddings`, Ollama's `POST /api/embed` and Google's
 * `POST /models/{model}:batchEmbedContents` (under any base path, e.g. `/v1beta`). Its vectors are
 * deterministic: a hashed bag of words folded into N dimensions and normalized, so texts that share words
 * are near in cosine and L2 (search tests and the ingest benchmark rely on that). It counts requests and
 * can be scripted to fail ("500 twice then succeed", 429 with Retry-After, a dropped connection, a vector
 * of the wrong length).
 */

export type EmbeddingApi = 'openai' | 'ollama' | 'google';

/** What the double does with the next embedding request, instead of answering it. */
export type ScriptedFailure =
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  /** Answers with an error message that repeats the request's key and first text (for redaction tests). */
  | { kind: 'echo'; status: number }
  /** Destroys the connection without an answer (a network error for the client). */
  | { kind: 'reset' }
  /** Answers 200 but makes the last vector one dimension short. */
  | { kind: 'ragged' };

export interface RecordedEmbeddingRequest {
  api: EmbeddingApi;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** The texts the request asked to embed. */
  inputs: string[];
  /** When the request arrived (ms, `Date.now()`). */
  at: number;
  /** The status the double answered (-1: none, the connection was dropped). */
  status: number;
}

export interface EmbeddingDoubleOptions {
  /** Vector length when the request does not ask for one (OpenAI `dimensions`, Google `outputDimensionality`). */
  dimensions?: number;
  /** Delay before each answer (ms): a model's latency. */
  latencyMs?: number;
  /** When set, a request without this key (bearer or `x-goog-api-key`) gets 401. */
  apiKey?: string;
  /** Consumed in order, one per embedding request, before answering normally. */
  failures?: ScriptedFailure[];
}

export interface EmbeddingDouble {
  /** e.g. `http://127.0.0.1:40123`: the base URL for `openai` and `ollama`. */
  url: string;
  /** The base URL for `google` (`{url}/v1beta`). */
  googleUrl: string;
  requests: RecordedEmbeddingRequest[];
  /** Embedding requests answered with vectors. */
  readonly succeeded: number;
  /** Queues more scripted failures. */
  fail(...failures: ScriptedFailure[]): void;
  setLatency(ms: number): void;
  /** Forgets recorded requests and unused scripted failures (the counts restart). */
  reset(): void;
  close(): Promise<void>;
}

/** The double's vector for a text: the same function tests use to predict what search returns. */
export function doubleVector(text: string, dimensions: number): number[] {
  const v = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const h = fnv1a(word);
    // A sign bit from the hash keeps unrelated words from all pushing the same way (feature hashing).
    v[h % dimensions] += h & 0x80000000 ? -1 : 1;
  }
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  if (norm === 0) {
    v[0] = 1; // Text without words: a fixed unit vector, so cosine is defined.
    return v;
  }
  return v.map((x) => x / norm);
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

interface Parsed {
  api: EmbeddingApi;
  inputs: string[];
  dimensions: number | null;
  key: string | undefined;
}

/** Recognizes the API by path and pulls out inputs, requested dimensions and the key; null = not ours. */
function parse(url: string, headers: IncomingHttpHeaders, body: Record<string, unknown>): Parsed | null {
  const path = url.split('?')[0];
  const bearer = /^Bearer (.+)$/.exec(String(headers.authorization ?? ''))?.[1];
  if (path.endsWith('/v1/embeddings')) {
    const input = body.input;
    return {
      api: 'openai',
      inputs: Array.isArray(input) ? input.map(String) : [String(input)],
      dimensions: typeof body.dimensions === 'number' ? body.dimensions : null,
      key: bearer,
    };
  }
  if (path.endsWith('/api/embed')) {
    const input = body.input;
    return {
      api: 'ollama',
      inputs: Array.isArray(input) ? input.map(String) : [String(input)],
      dimensions: null,
      key: bearer,
    };
  }
  if (/\/models\/[^/]+:batchEmbedContents$/.test(path)) {
    const reqs = (body.requests ?? []) as Array<{
      content?: { parts?: Array<{ text?: string }> };
      outputDimensionality?: number;
    }>;
    return {
      api: 'google',
      inputs: reqs.map((r) => (r.content?.parts ?? []).map((p) => p.text ?? '').join('')),
      dimensions: reqs[0]?.outputDimensionality ?? null,
      key: typeof headers['x-goog-api-key'] === 'string' ? headers['x-goog-api-key'] : undefined,
    };
  }
  return null;
}

function answerBody(api: EmbeddingApi, vectors: number[][], model: unknown): unknown {
  if (api === 'openai')
    return {
      object: 'list',
      data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
      model,
      usage: { prompt_tokens: 0, total_tokens: 0 },
    };
  if (api === 'ollama') return { model, embeddings: vectors };
  return { embeddings: vectors.map((values) => ({ values })) };
}

function errorBody(api: EmbeddingApi, status: number, message: string): unknown {
  if (api === 'ollama') return { error: message };
  if (api === 'google') return { error: { code: status, message, status: 'UNAVAILABLE' } };
  return { error: { message, type: 'server_error', code: null } };
}

export async function startEmbeddingDouble(opts: EmbeddingDoubleOptions = {}): Promise<EmbeddingDouble> {
  const dimensions = opts.dimensions ?? 64;
  let latencyMs = opts.latencyMs ?? 0;
  const failures: ScriptedFailure[] = [...(opts.failures ?? [])];
  const requests: RecordedEmbeddingRequest[] = [];
  let succeeded = 0;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid JSON"}');
        return;
      }
      const parsed = req.method === 'POST' ? parse(req.url ?? '', req.headers, body) : null;
      if (!parsed) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        return;
      }
      const record: RecordedEmbeddingRequest = {
        api: parsed.api,
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        inputs: parsed.inputs,
        at: Date.now(),
        status: 0,
      };
      requests.push(record);
      if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
      // A client that gave up while the double was "thinking" consumes no scripted failure.
      if (req.socket.destroyed) {
        record.status = -1;
        return;
      }
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        record.status = status;
        res
          .writeHead(status, { 'content-type': 'application/json', ...headers })
          .end(JSON.stringify(payload));
      };
      if (opts.apiKey !== undefined && parsed.key !== opts.apiKey) {
        send(401, errorBody(parsed.api, 401, 'invalid API key'));
        return;
      }
      const failure = failures.shift();
      if (failure?.kind === 'reset') {
        record.status = -1;
        req.socket.destroy();
        return;
      }
      if (failure?.kind === 'status') {
        const headers: Record<string, string> = failure.retryAfter
          ? { 'retry-after': failure.retryAfter }
          : {};
        if (failure.body !== undefined) {
          record.status = failure.status;
          res.writeHead(failure.status, { 'content-type': 'application/json', ...headers }).end(failure.body);
        } else send(failure.status, errorBody(parsed.api, failure.status, 'scripted failure'), headers);
        return;
      }
      if (failure?.kind === 'echo') {
        const message = `rejected key ${parsed.key} for input "${parsed.inputs[0]}"`;
        send(failure.status, errorBody(parsed.api, failure.status, message));
        return;
      }
      const vectors = parsed.inputs.map((t) => doubleVector(t, parsed.dimensions ?? dimensions));
      if (failure?.kind === 'ragged' && vectors.length > 0) vectors[vectors.length - 1].pop();
      succeeded++;
      send(200, answerBody(parsed.api, vectors, body.model));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    googleUrl: `${url}/v1beta`,
    requests,
    get succeeded() {
      return succeeded;
    },
    fail: (...more) => {
      failures.push(...more);
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    reset: () => {
      requests.length = 0;
      failures.length = 0;
      succeeded = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
