import type { ManifestV0 } from '../../../contracts/manifest.ts';
import { openVectorDb, type VectorDb } from '../../../lib/vector-db.ts';
import type { VectorStore } from '../interfaces.ts';
import { pgvectorStore } from './pgvector.ts';

/** What the worker knows about where vectors go (contracts/config.ts). */
export interface StoreSettings {
  /** MOONMIND_VECTOR_DATABASE_URL, or the launcher's embedded server; unset: an in-process embedded one. */
  vectorDatabaseUrl?: string;
  dataDir: string;
  /** Resolves a secret reference on the worker (the Qdrant API key); never logged. */
  secret?: (reference: string) => Promise<string | undefined>;
}

/**
 * One client per database URL in this process, shared by the runs using it: the embedded database must be
 * opened once per data directory, and its socket server serves one connection at a time anyway.
 */
const open = new Map<string, { db: Promise<VectorDb>; refs: number }>();

async function acquire(url: string | undefined, dataDir: string) {
  const key = url ?? `embedded:${dataDir}`;
  let entry = open.get(key);
  if (!entry) {
    entry = { db: openVectorDb({ url, dataDir }), refs: 0 };
    open.set(key, entry);
    entry.db.catch(() => open.delete(key));
  }
  entry.refs++;
  const db = await entry.db;
  const held = entry;
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    if (--held.refs === 0) {
      open.delete(key);
      await db.close();
    }
  };
  return { db, release };
}

/** The manifest's vector store: pgvector (its connection URL, else the setting) or Qdrant. */
export async function storeFor(m: ManifestV0, settings: StoreSettings): Promise<VectorStore> {
  const vs = m.vectorStore;
  if (vs.type === 'qdrant') {
    const { qdrantStore } = await import('./qdrant.ts');
    const apiKey = vs.connection.apiKey ? await settings.secret?.(vs.connection.apiKey) : undefined;
    if (vs.connection.apiKey && !apiKey) {
      throw new Error('vectorStore.connection.apiKey: the secret it references is not set on this worker');
    }
    return qdrantStore({ manifest: m, url: vs.connection.url, apiKey });
  }
  const { db, release } = await acquire(vs.connection.url ?? settings.vectorDatabaseUrl, settings.dataDir);
  return pgvectorStore({
    sql: db.sql,
    indexName: vs.indexName,
    manifestName: m.metadata.name,
    distance: vs.distance,
    release,
  });
}
