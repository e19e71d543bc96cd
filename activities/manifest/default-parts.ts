import type { WorkerConfig } from '../../contracts/config.ts';
import { embedderFor } from './embeddings/index.ts';
import type { VectorStore } from './interfaces.ts';
import type { ManifestParts, TransformedChunk } from './parts.ts';
import { readerFor } from './readers/index.ts';
import { storeFor } from './stores/index.ts';
import { countTokens, htmlToText, TokenTextSplitter } from './transforms/index.ts';

/** The worker's manifest parts: the real readers, transforms, embedders and stores, with its settings. */
/**
 * Stores stay open for the worker's life, one per manifest and index: opening the embedded database
 * (PGlite with pgvector) costs seconds, which an incremental run of a few documents should not pay.
 */
const kept = (store: VectorStore): VectorStore =>
  Object.assign(Object.create(store) as VectorStore, { close: async () => {} });

export function defaultManifestParts(
  config: Pick<WorkerConfig, 'MOONMIND_VECTOR_DATABASE_URL' | 'MOONMIND_DATA_DIR'>,
  secret: (ref: string) => Promise<string>,
): ManifestParts {
  const openStores = new Map<string, Promise<VectorStore>>();
  return {
    readerFor: (ctx) => readerFor(ctx.source, ctx),
    transform(doc, transforms): TransformedChunk[] {
      const text = transforms.htmlToText && /html/i.test(doc.mimeType) ? htmlToText(doc.text) : doc.text;
      if (!transforms.splitter) return text ? [{ text, tokens: countTokens(text) }] : [];
      const { chunkSize, chunkOverlap } = transforms.splitter;
      return new TokenTextSplitter(chunkSize, chunkOverlap).split(text);
    },
    embedderFor: (m) => embedderFor(m.embeddings, { secret, concurrency: m.run.concurrency }),
    async storeFor(m) {
      const key = JSON.stringify([m.metadata.name, m.vectorStore]);
      let store = openStores.get(key);
      if (!store) {
        store = storeFor(m, {
          vectorDatabaseUrl: config.MOONMIND_VECTOR_DATABASE_URL,
          dataDir: config.MOONMIND_DATA_DIR,
          secret,
        });
        openStores.set(key, store);
        store.catch(() => openStores.delete(key));
      }
      return kept(await store);
    },
  };
}
