import path from 'node:path';
import type { ManifestRunSummary } from '../contracts/manifest.ts';
import { type EmbeddingDouble, startEmbeddingDouble } from '../test/fakes/embedding-double.ts';
import { changeCorpus, writeCorpus } from '../test/manifest/corpus.ts';
import { directoryManifest, type ManifestEngine, startManifestEngine } from '../test/manifest/engine.ts';
import type { startBenchServices } from './services.ts';

const DOCS = Number(process.env.MOONMIND_BENCH_MANIFEST_DOCS ?? 2_000);
const CHANGED_PERCENT = 1;

async function timedRun(engine: ManifestEngine, manifest: string) {
  const t0 = performance.now();
  const { handle } = await engine.start(manifest);
  const result = (await handle.result()) as {
    counts: Partial<ManifestRunSummary>;
    durationsMs: Record<string, number>;
  };
  return { ms: performance.now() - t0, counts: result.counts, stages: result.durationsMs };
}

/**
 * Issue 15's ingest benchmark: 2,000 local documents (~5 KB each, ~10 MB; test/manifest/corpus.ts) through
 * the whole engine (real Temporal, PostgreSQL checkpoints, the splitter, the embedded PGlite+pgvector) with
 * the local embedding double answering at once, so the figures are the engine's. Then 1% of the files
 * change and the incremental re-run is timed against the full run (goal ≤ 10%).
 */
export async function benchManifestIngest(
  s: Awaited<ReturnType<typeof startBenchServices>>,
): Promise<Record<string, string>> {
  const engine = await startManifestEngine(s.servicesFor('bench-manifest'));
  let embedder: EmbeddingDouble | undefined;
  try {
    embedder = await startEmbeddingDouble({ dimensions: 64 });
    const dir = path.join(engine.root, 'corpus');
    await writeCorpus(dir, DOCS);
    const manifest = directoryManifest({ name: 'bench-corpus', dir, embedUrl: embedder.url, chunkSize: 512 });
    const full = await timedRun(engine, manifest);
    await changeCorpus(dir, DOCS, CHANGED_PERCENT);
    const incremental = await timedRun(engine, manifest);
    const chunks = Number(full.counts.chunks ?? 0);
    const ratio = incremental.ms / full.ms;
    return {
      [`full run: ${DOCS} documents, ${chunks} chunks`]: `${(full.ms / 1000).toFixed(1)} s`,
      'documents/s': (DOCS / (full.ms / 1000)).toFixed(0),
      'chunks/s': (chunks / (full.ms / 1000)).toFixed(0),
      [`incremental re-run (${CHANGED_PERCENT}% changed: ${incremental.counts.changed} documents)`]: `${(incremental.ms / 1000).toFixed(1)} s`,
      'full run by stage (ms)': JSON.stringify(full.stages),
      'incremental run by stage (ms)': JSON.stringify(incremental.stages),
      'incremental / full (goal ≤ 10%)': `${(ratio * 100).toFixed(1)}%${ratio <= 0.1 ? '' : ' (OVER GOAL)'}`,
    };
  } finally {
    await embedder?.close();
    await engine.stop();
  }
}
