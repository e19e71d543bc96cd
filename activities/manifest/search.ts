import type { ManifestSearchRequest } from '../../contracts/manifest-search.ts';
import type { Embedder, SearchHit, VectorStore } from './interfaces.ts';

/**
 * The search half of a manifest's query route: embed the query as the run embedded its chunks, then ask
 * the manifest's store. The caller (the API route) builds the embedder and the store and closes the store.
 */
export async function searchManifest(
  req: ManifestSearchRequest,
  parts: { embedder: Embedder; store: VectorStore },
  signal: AbortSignal = new AbortController().signal,
): Promise<{ items: SearchHit[] }> {
  const [vector] = await parts.embedder.embed([req.query], signal);
  return { items: await parts.store.search(vector, req.topK, req.filter) };
}
