import type { WorkerConfig } from '../../contracts/config.ts';
import { embedderFor } from './embeddings/index.ts';
import type { ManifestParts, TransformedChunk } from './parts.ts';
import { readerFor } from './readers/index.ts';
import { storeFor } from './stores/index.ts';
import { countTokens, htmlToText, TokenTextSplitter } from './transforms/index.ts';

/** The worker's manifest parts: the real readers, transforms, embedders and stores, with its settings. */
export function defaultManifestParts(
  config: Pick<WorkerConfig, 'MOONMIND_VECTOR_DATABASE_URL' | 'MOONMIND_DATA_DIR'>,
  secret: (ref: string) => Promise<string>,
): ManifestParts {
  return {
    readerFor: (ctx) => readerFor(ctx.source, ctx),
    transform(doc, transforms): TransformedChunk[] {
      const text = transforms.htmlToText && /html/i.test(doc.mimeType) ? htmlToText(doc.text) : doc.text;
      if (!transforms.splitter) return text ? [{ text, tokens: countTokens(text) }] : [];
      const { chunkSize, chunkOverlap } = transforms.splitter;
      return new TokenTextSplitter(chunkSize, chunkOverlap).split(text);
    },
    embedderFor: (m) => embedderFor(m.embeddings, { secret, concurrency: m.run.concurrency }),
    storeFor: (m) =>
      storeFor(m, {
        vectorDatabaseUrl: config.MOONMIND_VECTOR_DATABASE_URL,
        dataDir: config.MOONMIND_DATA_DIR,
        secret,
      }),
  };
}
