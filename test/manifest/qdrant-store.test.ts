import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VectorPoint } from '../../activities/manifest/interfaces.ts';
import { storeFor } from '../../activities/manifest/stores/index.ts';
import { manifestV0Schema } from '../../contracts/manifest.ts';
import { type QdrantDouble, startQdrantDouble } from '../fakes/qdrant-double.ts';

/** storeFor picks the store the manifest names: Qdrant (against its REST double) or pgvector (embedded). */
const manifest = (vectorStore: Record<string, unknown>) =>
  manifestV0Schema.parse({
    version: 'v0',
    metadata: { name: 'docs' },
    embeddings: { provider: 'ollama', model: 'nomic-embed-text' },
    vectorStore,
    dataSources: [{ id: 'wiki', type: 'SimpleDirectoryReader', params: { path: '.' } }],
  });
const point = (id: string, vector: number[], over: Partial<VectorPoint> = {}): VectorPoint => ({
  id,
  vector,
  manifestName: 'docs',
  dataSourceId: 'wiki',
  sourceDocId: `${id}.md`,
  docHash: `h-${id}`,
  chunkIndex: 0,
  text: `text of ${id}`,
  metadata: { path: `${id}.md` },
  ...over,
});

describe('Qdrant store', () => {
  // Built at runtime: no credential-looking literal in the test files.
  const key = ['qdrant', 'double', process.pid].join('-');
  let qdrant: QdrantDouble;
  const settings = {
    dataDir: os.tmpdir(),
    secret: async (ref: string) => (ref === 'env://QDRANT_API_KEY' ? key : undefined),
  };
  const qdrantManifest = (extra: Record<string, unknown> = {}) =>
    manifest({
      type: 'qdrant',
      indexName: 'docs_q',
      connection: { url: qdrant.url, apiKey: 'env://QDRANT_API_KEY' },
      ...extra,
    });
  beforeAll(async () => {
    qdrant = await startQdrantDouble(key);
  });
  afterAll(() => qdrant.close());

  it('creates only when allowed, checks dimensions, upserts by id, deletes by document, searches', async () => {
    const refused = await storeFor(qdrantManifest(), settings);
    await expect(refused.ensureCollection({ dimensions: 3, allowCreate: false })).rejects.toThrow(
      /vectorStore\.allowCreateCollection/,
    );
    const s = await storeFor(qdrantManifest({ allowCreateCollection: true }), settings);
    await s.ensureCollection({ dimensions: 3, allowCreate: true });
    await expect(s.ensureCollection({ dimensions: 4, allowCreate: true })).rejects.toThrow(
      /embeddings\.dimensions/,
    );
    const points = [
      point('a', [1, 0, 0]),
      point('b', [0, 1, 0]),
      point('c', [0, 0, 1], { sourceDocId: 'b.md', chunkIndex: 1 }),
      point('d', [1, 1, 0], { dataSourceId: 'drive', sourceDocId: 'b.md' }),
    ];
    await s.upsert(points);
    await s.upsert(points);
    expect(await s.count()).toBe(4);
    const hits = await s.search([1, 0.1, 0], 2);
    expect(hits.map((h) => h.id)).toEqual(['a', 'd']);
    expect(hits[0]).toMatchObject({ dataSourceId: 'wiki', sourceDocId: 'a.md', text: 'text of a' });
    expect((await s.search([1, 0.1, 0], 4, { dataSourceId: 'drive' })).map((h) => h.id)).toEqual(['d']);
    expect(await s.deleteDocuments('wiki', ['b.md'])).toBe(2);
    expect(await s.count()).toBe(2);
    expect(qdrant.apiKeys.every((k) => k === key)).toBe(true);
  });

  it('ranks by euclidean distance for l2 (score: the negated distance)', async () => {
    const s = await storeFor(qdrantManifest({ indexName: 'docs_l2', distance: 'l2' }), settings);
    await s.ensureCollection({ dimensions: 3, allowCreate: true });
    await s.upsert([point('far', [10, 0, 0]), point('near', [0.9, 0.1, 0])]);
    const hits = await s.search([1, 0, 0], 2);
    expect(hits.map((h) => h.id)).toEqual(['near', 'far']);
    expect(hits[1].score).toBeCloseTo(-9, 5);
  });

  it('refuses an API key reference the worker cannot resolve', async () => {
    await expect(storeFor(qdrantManifest(), { dataDir: os.tmpdir() })).rejects.toThrow(
      /vectorStore\.connection\.apiKey/,
    );
  });
});

describe('storeFor with pgvector and no database URL', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'mm-stores-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('shares one embedded database between the stores of a process, until the last closes', async () => {
    const m = manifest({ type: 'pgvector', indexName: 'shared', allowCreateCollection: true });
    const first = await storeFor(m, { dataDir });
    const second = await storeFor(m, { dataDir });
    await first.ensureCollection({ dimensions: 2, allowCreate: true });
    await first.upsert([point('a', [1, 0])]);
    await first.close();
    expect(await second.count()).toBe(1);
    await second.close();
    // Opened again from disk: the points were kept.
    const third = await storeFor(m, { dataDir });
    expect((await third.search([1, 0], 1))[0].id).toBe('a');
    await third.close();
  });
});
