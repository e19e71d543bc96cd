import type { ManifestRunSummary } from '../../contracts/manifest.ts';
import type { ManifestStageResult, ManifestUpsertResult } from '../../contracts/manifest-activities.ts';
import type { StageContext } from './context.ts';
import type { VectorPoint } from './interfaces.ts';
import { type ChunkRecord, type Diff, manifestFailure, type Plan } from './stages.ts';
import { LineWriter, readJson, readLines, writeJson } from './workspace.ts';

/** Batches of at most `size` from an async source. */
async function* batches<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Embeds every chunk in the manifest's batch size (the embedder retries 429/5xx inside); vectors.jsonl. */
export async function embed(ctx: StageContext): Promise<ManifestStageResult> {
  const m = ctx.manifest;
  const embedder = ctx.deps.parts.embedderFor(m, (ref) => ctx.deps.secrets.resolve(ref));
  const out = new LineWriter(ctx.paths.vectors);
  let embedded = 0;
  let calls = 0; // engine batches (each one or more embedder requests)
  let dimensions: number | null = null;
  const started = Date.now();
  try {
    // The embedder cuts these into `batchSize` requests, `run.concurrency` of them in flight at once.
    const perCall = m.embeddings.batchSize * m.run.concurrency;
    for await (const batch of batches(readLines<ChunkRecord>(ctx.paths.chunks), perCall)) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const vectors = await embedder.embed(
        batch.map((c) => c.text),
        ctx.signal,
      );
      if (vectors.length !== batch.length)
        throw manifestFailure(`the embedder returned ${vectors.length} vectors for ${batch.length} texts`);
      for (const v of vectors) {
        dimensions ??= v.length;
        if (v.length !== dimensions)
          throw manifestFailure('the embedder returned vectors of different sizes');
        await out.write(v);
      }
      embedded += batch.length;
      calls++;
      ctx.heartbeat({ embedded });
    }
  } finally {
    await out.close();
  }
  await ctx.log(`embed: ${embedded} chunks in ${calls} batches in ${Date.now() - started} ms`);
  await ctx.uploadLog();
  return { counts: { embedded, batches: calls, dimensions } };
}

/**
 * Replaces the points of changed documents (delete all of theirs, then upsert the new chunks), deletes
 * those of vanished documents, writes `run_summary.json` and hands back the checkpoints to save.
 */
export async function upsert(ctx: StageContext): Promise<ManifestUpsertResult> {
  const m = ctx.manifest;
  const diff = await readJson<Diff>(ctx.paths.diff);
  const plan = await readJson<Plan>(ctx.paths.plan);
  const store = await ctx.deps.parts.storeFor(m);
  let deletions = 0;
  let upserts = 0;
  const started = Date.now();
  try {
    const vectors = readLines<number[]>(ctx.paths.vectors)[Symbol.asyncIterator]();
    const first = await vectors.next();
    // The collection first (deletes need it too): its dimension from the vectors, else the manifest's.
    const dimensions = first.done ? m.embeddings.dimensions : first.value.length;
    if (dimensions !== undefined)
      await store.ensureCollection({ dimensions, allowCreate: m.vectorStore.allowCreateCollection });
    for (const source of diff.sources) {
      const gone = [...source.changed, ...source.vanished];
      if (gone.length > 0) deletions += await store.deleteDocuments(source.dataSourceId, gone);
      ctx.heartbeat({ deleted: deletions });
    }
    let pending: IteratorResult<number[]> = first;
    for await (const batch of batches(readLines<ChunkRecord>(ctx.paths.chunks), m.run.batchSize)) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const points: VectorPoint[] = [];
      for (const c of batch) {
        if (pending.done) throw manifestFailure('fewer vectors than chunks: the embed stage did not finish');
        const { tokens: _, ...rest } = c;
        points.push({ ...rest, vector: pending.value, manifestName: m.metadata.name });
        pending = await vectors.next();
      }
      await store.upsert(points);
      upserts += points.length;
      ctx.heartbeat({ upserts });
    }
  } finally {
    await store.close();
  }
  const summary: ManifestRunSummary = {
    documents: plan.documents,
    changed: plan.changed,
    chunks: plan.chunks,
    upserts,
    deletions,
    skips: plan.skips,
    errors: plan.errors,
    estimatedTokens: plan.estimatedTokens,
    durationsMs: {},
  };
  await writeJson(ctx.paths.summary, summary);
  await ctx.upload(ctx.paths.summary, 'run_summary.json', 'application/json');
  await ctx.log(`upsert: ${upserts} points upserted, ${deletions} deleted in ${Date.now() - started} ms`);
  await ctx.uploadLog();
  const checkpoints = Object.fromEntries(diff.sources.map((s) => [s.dataSourceId, s.checkpoint]));
  return { counts: { upserts, deletions }, summary, checkpoints };
}
