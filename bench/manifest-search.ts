import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { VectorPoint } from '../activities/manifest/interfaces.ts';
import { pgvectorStore } from '../activities/manifest/stores/pgvector.ts';
import { openVectorDb } from '../lib/vector-db.ts';
import { fmt, percentile } from './services.ts';

const POINTS = Number(process.env.MOONMIND_BENCH_VECTOR_POINTS ?? 100_000);
const DIMENSIONS = 256;
const QUERIES = 200;
const TOP_K = 10;
/** Queries whose exact top-k is computed here too, for the recall figure. */
const RECALL_QUERIES = 20;

/** A small deterministic generator (mulberry32): the same points every run. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Manifest search (issue 15: search p95 ≤ 50 ms at 100,000 points): points of 256 dimensions around 200
 * topics (embeddings cluster by subject), loaded through the store into embedded PGlite+pgvector, the
 * HNSW index (cosine) built after the load, then 200 top-10 searches through the store one after another,
 * each near a point, as a retriever asks. Recall@10 against an exact scan for the first 20.
 */
export async function benchManifestSearch(): Promise<Record<string, string>> {
  const random = rng(15);
  const centers = Array.from({ length: 200 }, () =>
    Array.from({ length: DIMENSIONS }, () => random() * 2 - 1),
  );
  const near = (c: number[], spread: number) =>
    c.map((x) => Math.round((x + (random() * 2 - 1) * spread) * 1e4) / 1e4);
  const vectors = Array.from({ length: POINTS }, (_, i) => near(centers[i % centers.length], 0.6));

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mm-bench-vec-'));
  const db = await openVectorDb({ dataDir });
  try {
    const store = pgvectorStore({
      sql: db.sql,
      indexName: 'bench',
      manifestName: 'bench',
      distance: 'cosine',
    });
    await store.ensureCollection({ dimensions: DIMENSIONS, allowCreate: true });
    // Bulk load first, index after: building HNSW once is far faster than growing it point by point.
    await db.sql`DROP INDEX mm_vec_bench_cosine_hnsw`;
    const t0 = performance.now();
    const batch = 1000;
    for (let i = 0; i < POINTS; i += batch) {
      const points: VectorPoint[] = vectors.slice(i, i + batch).map((vector, j) => ({
        id: `p${i + j}`,
        vector,
        manifestName: 'bench',
        dataSourceId: `source-${(i + j) % 4}`,
        sourceDocId: `doc-${Math.floor((i + j) / 8)}`,
        docHash: 'h',
        chunkIndex: (i + j) % 8,
        text: `chunk ${i + j}`,
        metadata: {},
      }));
      await store.upsert(points);
    }
    const loadMs = performance.now() - t0;
    const t1 = performance.now();
    await db.sql`SET maintenance_work_mem = '512MB'`;
    await db.sql.unsafe(
      'CREATE INDEX mm_vec_bench_cosine_hnsw ON mm_vec_bench USING hnsw (embedding vector_cosine_ops)',
    );
    const indexMs = performance.now() - t1;
    await db.sql`ANALYZE mm_vec_bench`;

    const queries = Array.from({ length: QUERIES }, () => near(vectors[Math.floor(random() * POINTS)], 0.1));
    await store.search(queries[0], TOP_K); // warm-up, unmeasured
    const plan = await db.sql.unsafe(
      `EXPLAIN SELECT id FROM mm_vec_bench WHERE manifest_name = 'bench' ORDER BY embedding <=> '[${queries[0].join(',')}]'::vector LIMIT ${TOP_K}`,
    );
    const usesIndex = plan.some((r) => String(Object.values(r)[0]).includes('hnsw'));
    const latencies: number[] = [];
    const results: string[][] = [];
    for (const q of queries) {
      const s = performance.now();
      const hits = await store.search(q, TOP_K);
      latencies.push(performance.now() - s);
      results.push(hits.map((h) => h.id));
    }
    const norms = vectors.map((v) => Math.sqrt(v.reduce((a, x) => a + x * x, 0)));
    let found = 0;
    for (let k = 0; k < RECALL_QUERIES; k++) {
      const q = queries[k];
      const qn = Math.sqrt(q.reduce((a, x) => a + x * x, 0));
      const exact = vectors
        .map((v, i) => ({ i, sim: v.reduce((a, x, d) => a + x * q[d], 0) / (norms[i] * qn) }))
        .sort((a, b) => b.sim - a.sim)
        .slice(0, TOP_K)
        .map((e) => `p${e.i}`);
      found += exact.filter((id) => results[k].includes(id)).length;
    }
    return {
      [`points loaded (${POINTS}, dimension ${DIMENSIONS}, batches of ${batch})`]: `${(loadMs / 1000).toFixed(1)} s`,
      'HNSW index built (cosine, m 16, ef_construction 64)': `${(indexMs / 1000).toFixed(1)} s`,
      'query plan uses the HNSW index': usesIndex ? 'yes' : 'no',
      [`search top-${TOP_K}, p50 (${QUERIES} queries)`]: fmt(percentile(latencies, 50)),
      [`search top-${TOP_K}, p95 (target ≤ 50 ms)`]: fmt(percentile(latencies, 95)),
      [`recall@${TOP_K} against an exact scan (${RECALL_QUERIES} queries)`]: (
        found /
        (RECALL_QUERIES * TOP_K)
      ).toFixed(3),
    };
  } finally {
    await db.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
