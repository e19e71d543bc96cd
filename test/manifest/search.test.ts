import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder, VectorStore } from '../../activities/manifest/interfaces.ts';
import { searchManifest } from '../../activities/manifest/search.ts';
import { pgvectorStore } from '../../activities/manifest/stores/pgvector.ts';
import { manifestSearchRequestSchema } from '../../contracts/manifest-search.ts';
import { openVectorDb, type VectorDb } from '../../lib/vector-db.ts';
import { doubleVector } from '../fakes/embedding-double.ts';

/**
 * The search half of the query route: a question finds the chunk that talks about it, in embedded pgvector.
 * The embedder is the embedding double's function (no model server offline), the same one that embedded
 * the chunks, as the manifest's settings make it.
 */
const DIM = 64;
const embedder: Embedder = {
  dimensions: DIM,
  embed: async (texts) => texts.map((t) => doubleVector(t, DIM)),
};
const chunks = [
  {
    doc: 'deploy.md',
    source: 'wiki',
    text: 'How to deploy the service to production with a rolling restart',
  },
  { doc: 'backup.md', source: 'wiki', text: 'Nightly database backup and restore procedure' },
  { doc: 'oncall.md', source: 'drive', text: 'On call rotation and paging escalation policy' },
];

describe('manifest search', () => {
  let dataDir: string;
  let db: VectorDb;
  let store: VectorStore;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'mm-search-'));
    db = await openVectorDb({ dataDir });
    store = pgvectorStore({
      sql: db.sql,
      indexName: 'handbook',
      manifestName: 'handbook',
      distance: 'cosine',
    });
    await store.ensureCollection({ dimensions: DIM, allowCreate: true });
    const vectors = await embedder.embed(
      chunks.map((c) => c.text),
      new AbortController().signal,
    );
    await store.upsert(
      chunks.map((c, i) => ({
        id: `p${i}`,
        vector: vectors[i],
        manifestName: 'handbook',
        dataSourceId: c.source,
        sourceDocId: c.doc,
        docHash: 'h',
        chunkIndex: 0,
        text: c.text,
        metadata: { path: c.doc },
      })),
    );
  });
  afterAll(async () => {
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('returns the chunks nearest the query, best first, with scores and source ids', async () => {
    const req = manifestSearchRequestSchema.parse({ query: 'how do I restore a database backup?' });
    const { items } = await searchManifest(req, { embedder, store });
    expect(items).toHaveLength(3);
    expect(items[0]).toMatchObject({ sourceDocId: 'backup.md', dataSourceId: 'wiki', chunkIndex: 0 });
    expect(items[0].score).toBeGreaterThan(items[1].score);
  });

  it('honours topK and the filter', async () => {
    const req = manifestSearchRequestSchema.parse({
      query: 'deploy to production',
      topK: 1,
      filter: { dataSourceId: 'drive' },
    });
    const { items } = await searchManifest(req, { embedder, store });
    expect(items.map((h) => h.sourceDocId)).toEqual(['oncall.md']);
  });

  it('rejects a bad request naming the field, and a collection never created in plain words', async () => {
    const bad = manifestSearchRequestSchema.safeParse({ query: '  ', topK: 500 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['query', 'topK']);
    const none = pgvectorStore({
      sql: db.sql,
      indexName: 'never_run',
      manifestName: 'x',
      distance: 'cosine',
    });
    await expect(none.search(doubleVector('x', DIM), 3)).rejects.toThrow(
      /collection never_run does not exist yet/,
    );
  });
});
