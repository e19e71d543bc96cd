import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VectorPoint } from '../../activities/manifest/interfaces.ts';
import { pgvectorStore } from '../../activities/manifest/stores/pgvector.ts';
import { createSql } from '../../db/client.ts';
import { openVectorDb, type VectorDb } from '../../lib/vector-db.ts';

/**
 * The pgvector store against embedded PGlite+pgvector (the default), and against the test PostgreSQL when
 * it has the `vector` extension (Debian's PostgreSQL 15 here does not: that variant is skipped).
 */
const testUrl = process.env.MOONMIND_TEST_DATABASE_URL;
async function hasVector(url: string | undefined) {
  if (!url) return false;
  const sql = createSql(url, { max: 1, connectTimeoutS: 5 });
  try {
    const r = await sql`SELECT 1 FROM pg_available_extensions WHERE name = 'vector'`;
    return r.length > 0;
  } catch {
    return false;
  } finally {
    await sql.end();
  }
}
const postgresHasVector = await hasVector(testUrl);

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

describe.each([
  { variant: 'embedded PGlite + pgvector', url: undefined, skip: false },
  { variant: 'PostgreSQL with pgvector', url: testUrl, skip: !postgresHasVector },
])('pgvector store on $variant', ({ url, skip }) => {
  let dataDir: string;
  let db: VectorDb;
  // Unique collection names: the PostgreSQL variant shares its database with other runs.
  const suffix = `${process.pid}_${Date.now()}`;
  const store = (indexName: string, distance: 'cosine' | 'l2' = 'cosine', manifestName = 'docs') =>
    pgvectorStore({ sql: db.sql, indexName: `${indexName}_${suffix}`, manifestName, distance, batchSize: 2 });

  beforeAll(async () => {
    if (skip) return;
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'mm-vec-'));
    db = await openVectorDb({ url, dataDir });
  });
  afterAll(async () => {
    if (skip) return;
    if (url) {
      const tables = await db.sql<{ t: string }[]>`
        SELECT tablename AS t FROM pg_tables WHERE tablename LIKE ${`mm_vec_%_${suffix}`}`;
      for (const { t } of tables) await db.sql.unsafe(`DROP TABLE ${t}`);
    }
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it.skipIf(skip)('keeps the embedded data under <data dir>/vector', async () => {
    expect(db.embedded).toBe(!url);
    if (!url) expect((await stat(path.join(dataDir, 'vector'))).isDirectory()).toBe(true);
  });

  it.skipIf(skip)('refuses to create a collection unless allowCreateCollection', async () => {
    const s = store('refused');
    await expect(s.ensureCollection({ dimensions: 4, allowCreate: false })).rejects.toThrow(
      /vectorStore\.allowCreateCollection/,
    );
    await s.ensureCollection({ dimensions: 4, allowCreate: true });
    // Existing now: no permission needed to use it.
    await s.ensureCollection({ dimensions: 4, allowCreate: false });
    const [idx] = await db.sql<{ def: string }[]>`
      SELECT indexdef AS def FROM pg_indexes WHERE tablename = ${`mm_vec_refused_${suffix}`} AND indexdef LIKE '%hnsw%'`;
    expect(idx.def).toContain('vector_cosine_ops');
  });

  it.skipIf(skip)('refuses an embedder of another dimension, naming embeddings.dimensions', async () => {
    const s = store('dims');
    await s.ensureCollection({ dimensions: 4, allowCreate: true });
    await expect(s.ensureCollection({ dimensions: 8, allowCreate: true })).rejects.toThrow(
      /4 dimensions.*embeddings\.dimensions/,
    );
  });

  it.skipIf(skip)('upserts idempotently by id, and deletes by documents', async () => {
    const s = store('upsert');
    await s.ensureCollection({ dimensions: 3, allowCreate: true });
    const points = [
      point('a', [1, 0, 0]),
      point('b', [0, 1, 0]),
      point('c', [0, 0, 1], { sourceDocId: 'b.md', chunkIndex: 1 }),
      point('d', [1, 1, 0], { dataSourceId: 'drive', sourceDocId: 'b.md' }),
      point('e', [1, 1, 1]),
    ];
    await s.upsert(points);
    await s.upsert(points.map((p) => ({ ...p, text: `${p.text} (again)` })));
    expect(await s.count()).toBe(5);
    expect(await s.count({ dataSourceId: 'wiki' })).toBe(4);
    expect(await s.count({ dataSourceId: 'wiki', sourceDocId: 'b.md' })).toBe(2);
    const [hit] = await s.search([1, 0, 0], 1);
    expect(hit).toMatchObject({ id: 'a', text: 'text of a (again)', metadata: { path: 'a.md' } });

    // b.md of wiki has two chunks; drive's b.md and other manifests' points stay.
    const other = store('upsert', 'cosine', 'other');
    await other.upsert([point('z', [0, 1, 0], { manifestName: 'other', sourceDocId: 'b.md' })]);
    expect(await s.deleteDocuments('wiki', ['b.md', 'missing.md'])).toBe(2);
    expect(await s.count()).toBe(3);
    expect(await s.count({ dataSourceId: 'drive' })).toBe(1);
    expect(await other.count()).toBe(1);
    expect(await s.deleteDocuments('wiki', [])).toBe(0);
  });

  it.skipIf(skip)('searches nearest first, with filters', async () => {
    const s = store('search');
    await s.ensureCollection({ dimensions: 2, allowCreate: true });
    await s.upsert([
      point('east', [1, 0]),
      point('north-east', [1, 1], { dataSourceId: 'drive' }),
      point('north', [0, 1]),
      point('west', [-1, 0]),
    ]);
    const hits = await s.search([1, 0.1], 4);
    expect(hits.map((h) => h.id)).toEqual(['east', 'north-east', 'north', 'west']);
    expect(hits[0].score).toBeCloseTo(1 / Math.sqrt(1.01), 5);
    expect(hits[3].score).toBeLessThan(0);
    expect((await s.search([1, 0.1], 2)).map((h) => h.id)).toEqual(['east', 'north-east']);
    expect((await s.search([1, 0.1], 4, { dataSourceId: 'drive' })).map((h) => h.id)).toEqual(['north-east']);
    expect((await s.search([1, 0.1], 4, { sourceDocId: 'north.md' })).map((h) => h.id)).toEqual(['north']);
  });

  it.skipIf(skip)('ranks by cosine or by euclidean distance as the manifest says', async () => {
    const far = point('far-same-direction', [10, 0, 0]);
    const near = point('near-other-direction', [0.9, 0.1, 0]);
    const cosine = store('cos', 'cosine');
    const l2 = store('l2', 'l2');
    for (const s of [cosine, l2]) {
      await s.ensureCollection({ dimensions: 3, allowCreate: true });
      await s.upsert([far, near]);
    }
    const byCosine = await cosine.search([1, 0, 0], 2);
    expect(byCosine.map((h) => h.id)).toEqual(['far-same-direction', 'near-other-direction']);
    expect(byCosine[0].score).toBeCloseTo(1, 5);
    const byL2 = await l2.search([1, 0, 0], 2);
    expect(byL2.map((h) => h.id)).toEqual(['near-other-direction', 'far-same-direction']);
    expect(byL2[0].score).toBeCloseTo(-Math.sqrt(0.02), 5);
    expect(byL2[1].score).toBeCloseTo(-9, 5);
    const [idx] = await db.sql<{ def: string }[]>`
      SELECT indexdef AS def FROM pg_indexes WHERE tablename = ${`mm_vec_l2_${suffix}`} AND indexdef LIKE '%hnsw%'`;
    expect(idx.def).toContain('vector_l2_ops');
  });
});
