import type { ManifestV0 } from '../../contracts/manifest.ts';
import type { Embedder, Reader, ReaderContext, SourceDocument, VectorStore } from './interfaces.ts';

/** One chunk of a transformed document, with its token count (for estimates). */
export interface TransformedChunk {
  text: string;
  tokens: number;
}

/**
 * The parts the engine wires per run (readers, transforms, embedders, stores): built and tested on their own
 * (activities/manifest/readers, embeddings, stores), handed to the engine by the worker.
 */
export interface ManifestParts {
  readerFor(ctx: ReaderContext): Reader;
  /** htmlToText, the splitter and enrichMetadata applied to one document. */
  transform(doc: SourceDocument, transforms: ManifestV0['transforms']): TransformedChunk[];
  embedderFor(m: ManifestV0, secret: (ref: string) => Promise<string>): Embedder;
  storeFor(m: ManifestV0): Promise<VectorStore>;
}
