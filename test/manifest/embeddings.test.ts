import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { retryAfterMs } from '../../activities/manifest/embeddings/http.ts';
import {
  EmbeddingError,
  type EmbeddingSettings,
  embedderFor,
  embedQuery,
} from '../../activities/manifest/embeddings/index.ts';
import { providerWires } from '../../activities/manifest/embeddings/providers.ts';
import { secretResolver } from '../../activities/secrets/references.ts';
import { type ManifestV0, manifestV0Schema } from '../../contracts/manifest.ts';
import { doubleVector, type EmbeddingDouble, startEmbeddingDouble } from '../fakes/embedding-double.ts';

/** A key made at run time (no credential-like literal in the file), served from the worker's environment. */
const key = ['emb', Math.random().toString(36).slice(2), Math.random().toString(36).slice(2)].join('-');
const secrets = { secret: (ref: string) => secretResolver({ EMBED_KEY: key }, {}).resolve(ref) };
const fast = { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 };
const never = () => new AbortController().signal;

function manifest(embeddings: Record<string, unknown>): ManifestV0 {
  return manifestV0Schema.parse({
    version: 'v0',
    metadata: { name: 'docs' },
    embeddings,
    vectorStore: { type: 'pgvector', indexName: 'docs' },
    dataSources: [{ id: 'local', type: 'SimpleDirectoryReader', params: { path: '.' } }],
  });
}
const settings = (e: Record<string, unknown>): EmbeddingSettings => manifest(e).embeddings;
const texts = (n: number) => Array.from({ length: n }, (_, i) => `document number ${i} about topic ${i % 3}`);

describe('embeddings over HTTP (against the embedding server double)', () => {
  let dbl: EmbeddingDouble;
  beforeAll(async () => {
    dbl = await startEmbeddingDouble({ dimensions: 64 });
  });
  afterAll(() => dbl?.close());
  beforeEach(() => {
    dbl.reset();
    dbl.setLatency(0);
  });

  it('OpenAI-compatible: POST {baseUrl}/v1/embeddings with the bearer key, model, inputs and dimensions', async () => {
    const e = embedderFor(
      settings({
        provider: 'openai',
        model: 'text-embedding-3-small',
        dimensions: 32,
        baseUrl: dbl.url,
        apiKey: 'env://EMBED_KEY',
      }),
      secrets,
    );
    const vectors = await e.embed(['alpha beta', 'gamma'], never());
    expect(vectors).toEqual([doubleVector('alpha beta', 32), doubleVector('gamma', 32)]);
    expect(e.dimensions).toBe(32);
    const [r] = dbl.requests;
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/v1/embeddings');
    expect(r.headers.authorization).toBe(`Bearer ${key}`);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.body).toEqual({
      model: 'text-embedding-3-small',
      input: ['alpha beta', 'gamma'],
      encoding_format: 'float',
      dimensions: 32,
    });
    // vLLM and LiteLLM bases are usually written with /v1: the path is not doubled; no key is fine there.
    await embedderFor(
      settings({ provider: 'openai', model: 'bge', baseUrl: `${dbl.url}/v1/` }),
      secrets,
    ).embed(['x'], never());
    expect(dbl.requests[1].url).toBe('/v1/embeddings');
    expect(dbl.requests[1].headers.authorization).toBeUndefined();
    expect(dbl.requests[1].body).not.toHaveProperty('dimensions');
  });

  it('Ollama: POST {baseUrl}/api/embed with { model, input } and reads { embeddings }', async () => {
    const e = embedderFor(
      settings({ provider: 'ollama', model: 'nomic-embed-text', baseUrl: dbl.url }),
      secrets,
    );
    expect(e.dimensions).toBeNull();
    const vectors = await e.embed(['one text', 'another text'], never());
    expect(vectors).toEqual([doubleVector('one text', 64), doubleVector('another text', 64)]);
    expect(e.dimensions).toBe(64); // learnt from the answer
    const [r] = dbl.requests;
    expect(r.url).toBe('/api/embed');
    expect(r.body).toEqual({ model: 'nomic-embed-text', input: ['one text', 'another text'] });
    expect(r.headers.authorization).toBeUndefined();
  });

  it('Google: models/{model}:batchEmbedContents with the key in x-goog-api-key, never in the URL', async () => {
    const e = embedderFor(
      settings({
        provider: 'google',
        model: 'text-embedding-004',
        dimensions: 16,
        baseUrl: dbl.googleUrl,
        apiKey: 'env://EMBED_KEY',
      }),
      secrets,
    );
    expect(await e.embed(['red apple', 'green pear'], never())).toEqual([
      doubleVector('red apple', 16),
      doubleVector('green pear', 16),
    ]);
    const [r] = dbl.requests;
    expect(r.url).toBe('/v1beta/models/text-embedding-004:batchEmbedContents');
    expect(r.url).not.toContain(key);
    expect(r.headers['x-goog-api-key']).toBe(key);
    expect(r.headers.authorization).toBeUndefined();
    expect(r.body).toEqual({
      requests: ['red apple', 'green pear'].map((text) => ({
        model: 'models/text-embedding-004',
        content: { parts: [{ text }] },
        taskType: 'RETRIEVAL_DOCUMENT',
        outputDimensionality: 16,
      })),
    });
  });

  it('batches by batchSize, keeps input order, and cuts batches to the provider limit (Google: 100)', async () => {
    const input = texts(10);
    const e = embedderFor(settings({ provider: 'ollama', model: 'm', baseUrl: dbl.url, batchSize: 3 }), {
      ...secrets,
      concurrency: 3,
    });
    expect(await e.embed(input, never())).toEqual(input.map((t) => doubleVector(t, 64)));
    expect(dbl.requests.map((r) => r.inputs.length).sort()).toEqual([1, 3, 3, 3]);
    expect(dbl.succeeded).toBe(4);

    dbl.reset();
    const g = embedderFor(
      settings({
        provider: 'google',
        model: 'm',
        baseUrl: dbl.googleUrl,
        batchSize: 250,
        apiKey: 'env://EMBED_KEY',
      }),
      secrets,
    );
    expect(await g.embed(texts(250), never())).toHaveLength(250);
    expect(dbl.requests.map((r) => r.inputs.length)).toEqual([100, 100, 50]);
  });

  it('a failing batch (500 twice) is retried and succeeds; the retries are logged without content', async () => {
    const log: string[] = [];
    const e = embedderFor(settings({ provider: 'openai', model: 'm', baseUrl: dbl.url, batchSize: 2 }), {
      ...secrets,
      retry: fast,
      log: (l) => log.push(l),
    });
    dbl.fail({ kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    const input = texts(4);
    expect(await e.embed(input, never())).toEqual(input.map((t) => doubleVector(t, 64)));
    expect(dbl.requests.map((r) => r.status)).toEqual([500, 500, 200, 200]);
    expect(log).toHaveLength(2);
    expect(log[0]).toMatch(/openai: batch 1\/2: HTTP 500.*retry 1\/3 in \d+ ms/);
    for (const line of log) for (const t of input) expect(line).not.toContain(t);
  });

  it('a dropped connection is retried like a 5xx', async () => {
    const e = embedderFor(settings({ provider: 'ollama', model: 'm', baseUrl: dbl.url }), {
      ...secrets,
      retry: fast,
    });
    dbl.fail({ kind: 'reset' });
    expect(await e.embed(['after a reset'], never())).toEqual([doubleVector('after a reset', 64)]);
    expect(dbl.requests).toHaveLength(2);
  });

  it('429 with Retry-After: the next attempt waits the seconds the server asked for', async () => {
    const e = embedderFor(settings({ provider: 'openai', model: 'm', baseUrl: dbl.url }), {
      ...secrets,
      retry: fast,
    });
    dbl.fail({ kind: 'status', status: 429, retryAfter: '1' });
    await e.embed(['rate limited'], never());
    const [first, second] = dbl.requests;
    expect(first.status).toBe(429);
    expect(second.status).toBe(200);
    expect(second.at - first.at).toBeGreaterThanOrEqual(950); // not the 5 ms backoff
  });

  it('reads OpenAI answers by their index, and refuses an answer with too few vectors', async () => {
    const answer = {
      data: [
        { index: 1, embedding: [0, 1] },
        { index: 0, embedding: [1, 0] },
      ],
    };
    expect(providerWires.openai.vectors(answer, 2)).toEqual([
      [1, 0],
      [0, 1],
    ]);
    dbl.fail({ kind: 'status', status: 200, body: '{"embeddings":[]}' });
    const e = embedderFor(settings({ provider: 'ollama', model: 'm', baseUrl: dbl.url }), secrets);
    const err = await e.embed(['x'], never()).catch((x) => x);
    expect(err.message).toBe('ollama: the answer is not of the embeddings format (expected 1 vectors)');
    expect(err.permanent).toBe(true);
  });

  it('Retry-After is read as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('2', now)).toBe(2_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:03 GMT', now)).toBe(3_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it('an attempt past its time limit counts as failed and is retried, then given up', async () => {
    dbl.setLatency(500);
    const e = embedderFor(settings({ provider: 'ollama', model: 'm', baseUrl: dbl.url }), {
      ...secrets,
      retry: { ...fast, attempts: 2, timeoutMs: 100 },
    });
    await expect(e.embed(['slow'], never())).rejects.toThrow(
      'ollama: batch 1/1 failed after 2 attempts (no answer in 100 ms)',
    );
    expect(dbl.requests).toHaveLength(2);
  });

  it('one refused batch stops the run of batches: no new batch starts after it', async () => {
    dbl.setLatency(50);
    const e = embedderFor(settings({ provider: 'ollama', model: 'm', baseUrl: dbl.url, batchSize: 1 }), {
      ...secrets,
      concurrency: 2,
    });
    dbl.fail({ kind: 'status', status: 400 });
    await expect(e.embed(texts(8), never())).rejects.toThrow('refused (HTTP 400');
    expect(dbl.requests.length).toBeLessThanOrEqual(3);
  });

  it('gives up after the bounded number of attempts; a 4xx is not retried', async () => {
    const e = embedderFor(settings({ provider: 'openai', model: 'm', baseUrl: dbl.url }), {
      ...secrets,
      retry: { ...fast, attempts: 3 },
    });
    dbl.fail(...Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 503 })));
    const err = await e.embed(['x'], never()).catch((x) => x);
    expect(err).toBeInstanceOf(EmbeddingError);
    expect(err.message).toMatch(/openai: batch 1\/1 failed after 3 attempts \(HTTP 503/);
    expect(err.permanent).toBe(false);
    expect(dbl.requests).toHaveLength(3);

    dbl.reset();
    dbl.fail({ kind: 'status', status: 400, body: '{"error":{"message":"unknown model m"}}' });
    const bad = await e.embed(['x'], never()).catch((x) => x);
    expect(bad.message).toBe('openai: batch 1/1 refused (HTTP 400: unknown model m)');
    expect(bad.permanent).toBe(true);
    expect(bad.status).toBe(400);
    expect(dbl.requests).toHaveLength(1);
  });

  it('checks dimensions: equal to embeddings.dimensions when set, and the same for every vector', async () => {
    // Ollama takes no dimensions parameter: the double answers 64 where the manifest says 32.
    const e = embedderFor(
      settings({ provider: 'ollama', model: 'm', baseUrl: dbl.url, dimensions: 32 }),
      secrets,
    );
    const err = await e.embed(['x'], never()).catch((x) => x);
    expect(err).toBeInstanceOf(EmbeddingError);
    expect(err.message).toBe(
      'ollama: batch 1/1: model m returned vectors of 64 dimensions; embeddings.dimensions is 32',
    );
    expect(err.permanent).toBe(true);

    const unset = embedderFor(
      settings({ provider: 'ollama', model: 'm', baseUrl: dbl.url, batchSize: 2 }),
      secrets,
    );
    dbl.fail({ kind: 'ragged' });
    await expect(unset.embed(texts(2), never())).rejects.toThrow(
      'ollama: batch 1/1: model m returned vectors of 63 and 64 dimensions',
    );
    // Across calls too: a model swapped mid-run is caught.
    const across = embedderFor(settings({ provider: 'ollama', model: 'm', baseUrl: dbl.url }), secrets);
    await across.embed(['first'], never());
    dbl.fail({ kind: 'ragged' });
    await expect(across.embed(['second'], never())).rejects.toThrow(
      'returned vectors of 63 and 64 dimensions',
    );
  });

  it('abort: stops an attempt in flight and a backoff wait, and sends nothing more', async () => {
    const e = embedderFor(settings({ provider: 'ollama', model: 'm', baseUrl: dbl.url, batchSize: 1 }), {
      ...secrets,
      retry: fast,
    });
    dbl.setLatency(2_000);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    let t0 = Date.now();
    await expect(e.embed(texts(5), ac.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(dbl.requests).toHaveLength(1);

    dbl.reset();
    dbl.setLatency(0);
    dbl.fail({ kind: 'status', status: 429, retryAfter: '30' });
    const during = new AbortController();
    t0 = Date.now();
    const pending = e.embed(['x'], during.signal);
    setTimeout(() => during.abort(), 200);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(dbl.requests).toHaveLength(1);
    await expect(e.embed(['x'], during.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(dbl.requests).toHaveLength(1);
  });

  it('never puts the key or a text in an error, even when the server quotes them', async () => {
    const secretText = `confidential paragraph ${Math.random().toString(36).slice(2)} of the handbook`;
    const e = embedderFor(
      settings({ provider: 'openai', model: 'm', baseUrl: dbl.url, apiKey: 'env://EMBED_KEY' }),
      { ...secrets, retry: { ...fast, attempts: 2 } },
    );
    dbl.fail({ kind: 'echo', status: 401 });
    const refused = await e.embed([secretText], never()).catch((x) => x);
    dbl.fail({ kind: 'echo', status: 500 }, { kind: 'echo', status: 500 });
    const exhausted = await e.embed([secretText], never()).catch((x) => x);
    for (const err of [refused, exhausted]) {
      expect(err).toBeInstanceOf(EmbeddingError);
      expect(err.message).toContain('server message withheld');
      expect(String(err.stack)).not.toContain(key);
      expect(String(err.stack)).not.toContain(secretText.split(' ')[2]);
    }
    expect(refused.message).toMatch(/^openai: batch 1\/1 refused \(HTTP 401/);
  });

  it('refuses to call a vendor endpoint without a key (before sending anything)', async () => {
    const e = embedderFor(settings({ provider: 'openai', model: 'text-embedding-3-small' }), secrets);
    await expect(e.embed(['x'], never())).rejects.toThrow(
      'openai: embeddings.apiKey is required for api.openai.com',
    );
    const g = embedderFor(settings({ provider: 'google', model: 'text-embedding-004' }), secrets);
    await expect(g.embed(['x'], never())).rejects.toThrow(
      'google: embeddings.apiKey is required for generativelanguage.googleapis.com',
    );
  });

  it('embedQuery: the search route embeds a query with the manifest settings; similar texts are near', async () => {
    const m = manifest({
      provider: 'google',
      model: 'text-embedding-004',
      baseUrl: dbl.googleUrl,
      apiKey: 'env://EMBED_KEY',
    });
    const q = await embedQuery(m, 'how do I rotate the signing keys', secrets);
    expect(q).toEqual(doubleVector('how do I rotate the signing keys', 64));
    expect((dbl.requests[0].body.requests as Array<{ taskType: string }>)[0].taskType).toBe(
      'RETRIEVAL_QUERY',
    );
    const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
    const near = doubleVector('To rotate the signing keys, run the rotate command', 64);
    const far = doubleVector('Lunch menu: soup, bread and cheese', 64);
    expect(cos(q, near)).toBeGreaterThan(cos(q, far) + 0.3);
  });
});
