import type { ManifestV0 } from '../../../contracts/manifest.ts';
import { EmbeddingError } from './errors.ts';

export type EmbeddingSettings = ManifestV0['embeddings'];
/** Documents are embedded for storage, queries for search (Google tunes vectors to each). */
export type EmbeddingPurpose = 'document' | 'query';

/** One provider's wire format: where to POST, with which headers and body, and how to read the vectors. */
export interface ProviderWire {
  /** The most texts one request may carry (the provider's own limit; `batchSize` is cut to it). */
  maxBatch: number;
  /** Whether a key is needed at this base URL (vendors' endpoints: yes; a local server: no). */
  needsKey(baseUrl: string): boolean;
  defaultBaseUrl: string;
  url(baseUrl: string, model: string): string;
  headers(key: string | undefined): Record<string, string>;
  body(texts: string[], s: EmbeddingSettings, purpose: EmbeddingPurpose): unknown;
  /** The vectors in input order; throws when the answer is not of the format. */
  vectors(answer: unknown, count: number): number[][];
}

const trimSlash = (u: string) => u.replace(/\/+$/, '');
const bearer = (key: string | undefined): Record<string, string> =>
  key ? { authorization: `Bearer ${key}` } : {};

function malformed(provider: string, what: string): never {
  throw new EmbeddingError(`${provider}: the answer is not of the embeddings format (${what})`, true);
}

function numbers(provider: string, v: unknown): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isFinite(x)))
    malformed(provider, 'a vector is not a list of numbers');
  return v as number[];
}

/** `POST {baseUrl}/v1/embeddings`: OpenAI, and every server that copies it (vLLM, LiteLLM, TEI, …). */
const openai: ProviderWire = {
  maxBatch: 2048,
  defaultBaseUrl: 'https://api.openai.com',
  needsKey: (base) => new URL(base).hostname === 'api.openai.com',
  // A base that already ends in /v1 (the way vLLM and LiteLLM are usually written) is taken as is.
  url: (base) => `${trimSlash(base).replace(/\/v1$/, '')}/v1/embeddings`,
  headers: bearer,
  body: (texts, s) => ({
    model: s.model,
    input: texts,
    encoding_format: 'float',
    ...(s.dimensions ? { dimensions: s.dimensions } : {}),
  }),
  vectors(answer, count) {
    const data = (answer as { data?: unknown }).data;
    if (!Array.isArray(data) || data.length !== count) malformed('openai', `expected ${count} vectors`);
    const out = new Array<number[]>(count);
    data.forEach((d: { index?: unknown; embedding?: unknown }, i) => {
      // Answers carry an index; servers that omit it answer in order.
      const at = typeof d.index === 'number' ? d.index : i;
      if (at < 0 || at >= count || out[at]) malformed('openai', 'indexes do not match the inputs');
      out[at] = numbers('openai', d.embedding);
    });
    return out;
  },
};

/** Ollama's `POST {baseUrl}/api/embed` (`{ model, input }` → `{ embeddings }`). */
const ollama: ProviderWire = {
  maxBatch: 2048,
  defaultBaseUrl: 'http://127.0.0.1:11434',
  needsKey: () => false,
  url: (base) => `${trimSlash(base)}/api/embed`,
  // Ollama itself takes no key; one behind an authenticating proxy gets it as a bearer.
  headers: bearer,
  body: (texts, s) => ({ model: s.model, input: texts }),
  vectors(answer, count) {
    const e = (answer as { embeddings?: unknown }).embeddings;
    if (!Array.isArray(e) || e.length !== count) malformed('ollama', `expected ${count} vectors`);
    return e.map((v) => numbers('ollama', v));
  },
};

/** Google's `models/{model}:batchEmbedContents`, the key in a header (never in the URL, which gets logged). */
const google: ProviderWire = {
  maxBatch: 100,
  defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta',
  needsKey: (base) => new URL(base).hostname.endsWith('googleapis.com'),
  url: (base, model) =>
    `${trimSlash(base)}/models/${encodeURIComponent(model.replace(/^models\//, ''))}:batchEmbedContents`,
  headers: (key): Record<string, string> => (key ? { 'x-goog-api-key': key } : {}),
  body: (texts, s, purpose) => ({
    requests: texts.map((text) => ({
      model: `models/${s.model.replace(/^models\//, '')}`,
      content: { parts: [{ text }] },
      taskType: purpose === 'query' ? 'RETRIEVAL_QUERY' : 'RETRIEVAL_DOCUMENT',
      ...(s.dimensions ? { outputDimensionality: s.dimensions } : {}),
    })),
  }),
  vectors(answer, count) {
    const e = (answer as { embeddings?: unknown }).embeddings;
    if (!Array.isArray(e) || e.length !== count) malformed('google', `expected ${count} vectors`);
    return e.map((v: { values?: unknown }) => numbers('google', v?.values));
  },
};

export const providerWires: Record<EmbeddingSettings['provider'], ProviderWire> = { openai, ollama, google };
