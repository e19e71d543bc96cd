import type { ManifestV0 } from '../../../contracts/manifest.ts';
import type { Embedder } from '../interfaces.ts';
import { EmbeddingError } from './errors.ts';
import { defaultRetryPolicy, postJson, type RetryPolicy } from './http.ts';
import { type EmbeddingPurpose, type EmbeddingSettings, providerWires } from './providers.ts';

export { EmbeddingError } from './errors.ts';
export type { RetryPolicy } from './http.ts';
export type { EmbeddingPurpose, EmbeddingSettings } from './providers.ts';

export interface EmbedderDeps {
  /** Resolves a secret reference (`embeddings.apiKey`) on the worker; the value stays in memory. */
  secret: (ref: string) => Promise<string>;
  /** Batches in flight at once (default 1); the engine passes the manifest's `run.concurrency`. */
  concurrency?: number;
  retry?: Partial<RetryPolicy>;
  /** Retries are logged here: provider, batch, status, wait; never a text nor the key. */
  log?: (line: string) => void;
  /** `document` (default) for ingestion, `query` for search. */
  purpose?: EmbeddingPurpose;
}

/**
 * The embedder a manifest's `embeddings` block names: texts go out in batches of `batchSize` (cut to the
 * provider's limit), each retried on 429/5xx/network errors, and every vector is checked to have the same
 * length, equal to `dimensions` when that is set, so a wrong model fails the run before anything is stored.
 */
export function embedderFor(settings: EmbeddingSettings, deps: EmbedderDeps): Embedder {
  const wire = providerWires[settings.provider];
  const baseUrl = settings.baseUrl ?? wire.defaultBaseUrl;
  const url = wire.url(baseUrl, settings.model);
  const batchSize = Math.min(settings.batchSize, wire.maxBatch);
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...deps.retry };
  const concurrency = Math.max(1, deps.concurrency ?? 1);
  const purpose = deps.purpose ?? 'document';
  let key: Promise<string | undefined> | undefined;
  let seen: number | null = null;

  const resolveKey = async (): Promise<string | undefined> => {
    if (settings.apiKey) return deps.secret(settings.apiKey);
    if (wire.needsKey(baseUrl))
      throw new EmbeddingError(
        `${settings.provider}: embeddings.apiKey is required for ${new URL(baseUrl).host}`,
        true,
      );
    return undefined;
  };

  const check = (vectors: number[][], label: string) => {
    for (const v of vectors) {
      if (v.length === 0)
        throw new EmbeddingError(
          `${settings.provider}: ${label}: model ${settings.model} returned an empty vector`,
          true,
        );
      const want = settings.dimensions ?? seen ?? v.length;
      if (v.length !== want)
        throw new EmbeddingError(
          settings.dimensions
            ? `${settings.provider}: ${label}: model ${settings.model} returned vectors of ${v.length} dimensions; embeddings.dimensions is ${want}`
            : `${settings.provider}: ${label}: model ${settings.model} returned vectors of ${v.length} and ${want} dimensions`,
          true,
        );
      seen = want;
    }
  };

  return {
    get dimensions() {
      return settings.dimensions ?? seen;
    },
    async embed(texts, signal) {
      signal.throwIfAborted();
      if (texts.length === 0) return [];
      key ??= resolveKey();
      // A failed resolution is not cached: the next call tries again.
      const k = await key.catch((err) => {
        key = undefined;
        throw err;
      });
      const batches: string[][] = [];
      for (let i = 0; i < texts.length; i += batchSize) batches.push(texts.slice(i, i + batchSize));
      const out = new Array<number[][]>(batches.length);
      const sensitive = k ? [k] : [];
      // The first failed batch stops the rest (in flight ones too) and is the error the caller sees.
      const stop = new AbortController();
      const linked = AbortSignal.any([signal, stop.signal]);
      let failure: unknown;
      let next = 0;
      const worker = async () => {
        while (next < batches.length && !linked.aborted) {
          const n = next++;
          const batch = batches[n];
          const label = `batch ${n + 1}/${batches.length}`;
          try {
            const answer = await postJson({
              provider: settings.provider,
              url,
              headers: wire.headers(k),
              body: wire.body(batch, settings, purpose),
              sensitive: [...sensitive, ...batch],
              signal: linked,
              policy,
              log: deps.log,
              label,
            });
            const vectors = wire.vectors(answer, batch.length);
            check(vectors, label);
            out[n] = vectors;
          } catch (err) {
            if (!signal.aborted && failure === undefined) {
              failure = err;
              stop.abort();
            }
            return;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
      signal.throwIfAborted();
      if (failure !== undefined) throw failure;
      return out.flat();
    },
  };
}

/** A search request waits on this, so it tries less and sooner than a run does. */
const queryRetry: Partial<RetryPolicy> = { attempts: 2, maxRetryAfterMs: 2_000, timeoutMs: 15_000 };

/**
 * The search route's query vector: the manifest's own embedding settings, tuned for a query (Google's
 * RETRIEVAL_QUERY), with a short retry budget since a person is waiting.
 */
export async function embedQuery(
  manifest: ManifestV0,
  text: string,
  deps: EmbedderDeps & { signal?: AbortSignal },
): Promise<number[]> {
  const embedder = embedderFor(manifest.embeddings, {
    ...deps,
    retry: { ...queryRetry, ...deps.retry },
    purpose: 'query',
  });
  const [vector] = await embedder.embed([text], deps.signal ?? new AbortController().signal);
  return vector;
}
