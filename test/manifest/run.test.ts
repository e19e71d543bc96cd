import { randomUUID } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../activities/manifest/stages.ts';
import type { ManifestRunSummary } from '../../contracts/manifest.ts';
import { getCheckpoint } from '../../db/manifests.ts';
import { waitFor } from '../../scripts/ports.ts';
import { controlSignal, stateQuery } from '../../workflows/messages.ts';
import { type EmbeddingDouble, startEmbeddingDouble } from '../fakes/embedding-double.ts';
import { events, waitForEvent } from '../workflows/harness.ts';
import { readHistories, recordedDir, writeHistory } from '../workflows/histories.ts';
import { corpusFileName, corpusText, writeCorpus } from './corpus.ts';
import { directoryManifest, type ManifestEngine, startManifestEngine } from './engine.ts';

let engine: ManifestEngine;
let embedder: EmbeddingDouble;
let dir: string;
let manifest: string;
const NAME = 'engine-docs';
const DOCS = 6;

beforeAll(async () => {
  engine = await startManifestEngine();
  embedder = await startEmbeddingDouble({ dimensions: 64 });
  dir = path.join(engine.root, 'docs');
  await writeCorpus(dir, DOCS, 3_000);
  manifest = directoryManifest({ name: NAME, dir, embedUrl: embedder.url });
}, 120_000);
afterAll(async () => {
  await embedder?.close();
  await engine?.stop();
});

/** Runs to the end; `record` keeps the history for the replay tests (test/workflows/histories). */
async function runToEnd(action: 'plan' | 'run' = 'run', record?: string) {
  const { jobId, handle } = await engine.start(manifest, action);
  await handle.result();
  if (record) await writeHistory(recordedDir, record, await handle.fetchHistory());
  const summary = JSON.parse(
    await readFile(path.join(engine.artifactsDir, jobId, 'run_summary.json'), 'utf8'),
  ) as ManifestRunSummary;
  return { jobId, handle, summary };
}
const docsOf = async () => (await getCheckpoint(engine.sql, NAME, 'docs')).docs;

describe('manifest runs (real Temporal, PostgreSQL, PGlite+pgvector, the embedding double)', () => {
  it('ingests a directory; a second run adds no duplicate points and skips every document', async () => {
    const first = await runToEnd('run', 'manifest-succeeded');
    expect(first.summary).toMatchObject({ documents: DOCS, changed: DOCS, deletions: 0, errors: 0 });
    expect(first.summary.upserts).toBe(first.summary.chunks);
    const points = await engine.count(manifest);
    expect(points).toBe(first.summary.chunks);
    expect(Object.keys(await docsOf())).toHaveLength(DOCS);
    const stageEvents = (await events(engine.sql, first.jobId)).map((e) => e.type);
    for (const stage of ['validate', 'fetch', 'transform', 'embed', 'upsert'])
      expect(stageEvents).toContain(`moonmind.manifest.${stage}.finished`);
    // Events carry counts, never document content.
    const all = JSON.stringify(await events(engine.sql, first.jobId));
    expect(all).not.toContain(corpusText(0, 0, 3_000).slice(0, 60));
    for (const artifact of ['manifest.yaml', 'plan.json', 'run_summary.json', 'manifest.log'])
      await expect(readFile(path.join(engine.artifactsDir, first.jobId, artifact))).resolves.toBeTruthy();

    const second = await runToEnd();
    expect(second.summary).toMatchObject({ documents: DOCS, changed: 0, upserts: 0, skips: DOCS });
    expect(await engine.count(manifest)).toBe(points);
  });

  it('a changed file replaces only its chunks; a deleted file loses its points', async () => {
    const before = await engine.count(manifest);
    const other = await engine.count(manifest, { dataSourceId: 'docs', sourceDocId: corpusFileName(2) });
    // Shorter: the document's old chunks past its new end must go too.
    await writeFile(path.join(dir, corpusFileName(1)), corpusText(1, 1, 1_000));
    const changed = await runToEnd();
    expect(changed.summary).toMatchObject({ changed: 1, skips: DOCS - 1 });
    const now = await engine.count(manifest, { dataSourceId: 'docs', sourceDocId: corpusFileName(1) });
    expect(now).toBe(changed.summary.upserts);
    expect(await engine.count(manifest, { dataSourceId: 'docs', sourceDocId: corpusFileName(2) })).toBe(
      other,
    );
    expect(await engine.count(manifest)).toBe(before - changed.summary.deletions + changed.summary.upserts);

    await rm(path.join(dir, corpusFileName(3)));
    const gone = await engine.count(manifest, { dataSourceId: 'docs', sourceDocId: corpusFileName(3) });
    const deleted = await runToEnd();
    expect(deleted.summary).toMatchObject({ documents: DOCS - 1, changed: 0, deletions: gone });
    expect(await engine.count(manifest, { dataSourceId: 'docs', sourceDocId: corpusFileName(3) })).toBe(0);
    expect(Object.keys(await docsOf())).not.toContain(corpusFileName(3));
  });

  it('plan estimates documents, chunks and tokens and writes nothing', async () => {
    await writeFile(path.join(dir, 'new.md'), corpusText(99, 0, 2_000));
    const points = await engine.count(manifest);
    const checkpoint = await docsOf();
    const { jobId, summary } = await runToEnd('plan', 'manifest-plan');
    const plan = JSON.parse(
      await readFile(path.join(engine.artifactsDir, jobId, 'plan.json'), 'utf8'),
    ) as Plan;
    expect(plan).toMatchObject({ writesNothing: true, changed: 1, deletions: 0 });
    expect(plan.chunks).toBeGreaterThan(0);
    expect(plan.estimatedTokens).toBeGreaterThan(0);
    // A self-hosted model has no known price.
    expect(plan.estimatedCostUsd).toBeNull();
    expect(summary.upserts).toBe(0);
    expect(await engine.count(manifest)).toBe(points);
    expect(await docsOf()).toEqual(checkpoint);
  });

  it('a cancel mid-embed leaves the checkpoint as it was, and a re-run completes', async () => {
    const checkpoint = await docsOf();
    embedder.setLatency(5_000);
    const { jobId, handle } = await engine.start(manifest);
    await waitForEvent(engine.sql, jobId, 'moonmind.manifest.embed.started', 60_000);
    await handle.signal(controlSignal, { requestId: randomUUID(), actor: 'tester', action: 'cancel' });
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect((await handle.query(stateQuery)).status).toBe('cancelled');
    await writeHistory(recordedDir, 'manifest-cancelled', await handle.fetchHistory());
    expect(await docsOf()).toEqual(checkpoint);
    embedder.setLatency(0);
    const rerun = await runToEnd();
    expect(rerun.summary).toMatchObject({ changed: 1, errors: 0 });
    expect(Object.keys(await docsOf())).toContain('new.md');
  });

  it('an embedding batch answered 500 twice is retried and the run succeeds', async () => {
    await writeFile(path.join(dir, 'retry.md'), corpusText(77, 0, 2_000));
    // The cancelled run's slow request must not take one of the scripted failures.
    await waitFor(
      'no embedding request in flight',
      async () => embedder.requests.every((r) => r.status !== 0),
      20_000,
    );
    embedder.reset();
    embedder.fail({ kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    const { summary } = await runToEnd();
    expect(summary).toMatchObject({ changed: 1, errors: 0 });
    expect(embedder.requests.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(await engine.count(manifest, { dataSourceId: 'docs', sourceDocId: 'retry.md' })).toBe(
      summary.upserts,
    );
  });

  it('replays the recorded histories with the current workflow code', async () => {
    const histories = (await readHistories(recordedDir)).filter((h) => h.workflowId.startsWith('manifest-'));
    expect(histories.length).toBeGreaterThanOrEqual(3);
    const failures: string[] = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: engine.bundle }, histories))
      if (r.error) failures.push(`${r.workflowId}: ${r.error}`);
    expect(failures).toEqual([]);
  });
});
