import type { DataSource, ManifestV0 } from '../../contracts/manifest.ts';

/**
 * The seams between the manifest engine and its parts (readers, embedders, vector stores), so each part is
 * built and tested on its own. The engine (activities/manifest/) wires them per run.
 */

/** A source document as a reader found it: stable id, content hash, text, allowlistable metadata. */
export interface SourceDocument {
  /** Stable across runs (a path, a page id, a file id). */
  sourceDocId: string;
  /** sha256 of the content (hex). */
  hash: string;
  /** The document's content; HTML when `mimeType` says so (htmlToText may convert it). */
  text: string;
  mimeType: string;
  metadata: Record<string, string | number | boolean>;
}

/**
 * A document the reader lists but could not read (its content request failed): `run.errorPolicy: skip` goes on
 * without it, `fail` fails the run naming it.
 */
export interface UnreadableDocument {
  sourceDocId: string;
  error: string;
}
export const isUnreadable = (d: SourceDocument | UnreadableDocument): d is UnreadableDocument => 'error' in d;

/** Per (manifest, data source): what the last successful run saw. */
export interface Checkpoint {
  cursor: string | null;
  /** sourceDocId → content hash. */
  docs: Record<string, string>;
  lastRunJobId: string | null;
  lastSuccessAt: string | null;
}

/** A reader lists the source's current documents; the engine diffs them against the checkpoint. */
export interface Reader {
  /** Yields every current document (the engine computes upserts, skips and deletions from the hashes). */
  documents(signal: AbortSignal): AsyncIterable<SourceDocument | UnreadableDocument>;
  /** A cursor to store with the checkpoint (e.g. the commit sha a git reader read); null when none. */
  cursor(): string | null;
}
export interface ReaderContext {
  source: DataSource;
  /** Resolves the source's `auth` references on the worker (never logged). */
  secret(name: string): Promise<string | undefined>;
  /** A scratch directory for this run (git clones). */
  workDir: string;
  log: (line: string) => void;
}

export interface Embedder {
  /** One vector per text, in order; batching, retries and the dimension check inside. */
  embed(texts: string[], signal: AbortSignal): Promise<number[][]>;
  readonly dimensions: number | null;
}

export interface VectorPoint {
  /** Deterministic: hash of manifest name, data source id, source doc id, chunk index, provider, model. */
  id: string;
  vector: number[];
  manifestName: string;
  dataSourceId: string;
  sourceDocId: string;
  docHash: string;
  chunkIndex: number;
  text: string;
  metadata: Record<string, string | number | boolean>;
}
export interface SearchHit {
  id: string;
  score: number;
  dataSourceId: string;
  sourceDocId: string;
  chunkIndex: number;
  text: string;
  metadata: Record<string, string | number | boolean>;
}
export interface VectorStore {
  /** Creates the collection (table + HNSW index) when allowed; refuses a dimension mismatch. */
  ensureCollection(opts: { dimensions: number; allowCreate: boolean }): Promise<void>;
  upsert(points: VectorPoint[]): Promise<void>;
  /** Deletes every point of these documents of one data source. */
  deleteDocuments(dataSourceId: string, sourceDocIds: string[]): Promise<number>;
  search(
    vector: number[],
    topK: number,
    filter?: { dataSourceId?: string; sourceDocId?: string },
  ): Promise<SearchHit[]>;
  count(filter?: { dataSourceId?: string; sourceDocId?: string }): Promise<number>;
  close(): Promise<void>;
}
export type VectorStoreFactory = (m: ManifestV0) => Promise<VectorStore>;
