import { writeFile } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/activity';
import { stringify } from 'yaml';
import { manifestV0Schema } from '../../contracts/manifest.ts';
import type { ManifestFetchInput, ManifestStageResult } from '../../contracts/manifest-activities.ts';
import { estimateCostUsd } from '../../contracts/manifest-cost.ts';
import { redactDeep } from '../../contracts/secrets.ts';
import type { StageContext } from './context.ts';
import { type ChangedDocument, diffSource, type SourceDiff } from './fetch.ts';
import { pointId } from './point-id.ts';
import { allowedMetadataKeys, allowlistMetadata, enrichMetadata } from './transforms/index.ts';
import { ensureDir, LineWriter, readJson, readLines, writeJson } from './workspace.ts';

/** A failure retrying cannot fix (bad params, a refused collection): the workflow does not retry it. */
export const manifestFailure = (message: string) =>
  ApplicationFailure.nonRetryable(message, 'ManifestFailure');

/** One chunk as transform writes it: everything a point needs except its vector. */
export interface ChunkRecord {
  id: string;
  dataSourceId: string;
  sourceDocId: string;
  docHash: string;
  chunkIndex: number;
  text: string;
  tokens: number;
  metadata: Record<string, string | number | boolean>;
}

export interface Diff {
  sources: SourceDiff[];
  documents: number;
}

/** `plan.json`: what a run would do (and, for a run, what it does). */
export interface Plan {
  manifest: string;
  action: string;
  writesNothing: boolean;
  documents: number;
  changed: number;
  skips: number;
  /** Documents listed but unreadable, skipped under `run.errorPolicy: skip`. */
  errors: number;
  deletions: number;
  chunks: number;
  estimatedTokens: number;
  /** USD; null when the model's price is not known (contracts/manifest-cost.ts). */
  estimatedCostUsd: number | null;
  dataSources: { id: string; changed: number; vanished: number; skipped: number }[];
}

/** Re-validates the stored manifest and writes the resolved one (references only, secrets redacted). */
export async function validate(ctx: StageContext): Promise<ManifestStageResult> {
  const parsed = manifestV0Schema.safeParse(ctx.manifest);
  if (!parsed.success) throw manifestFailure(`manifest invalid: ${parsed.error.issues[0]?.message}`);
  await writeFile(ctx.paths.manifest, stringify(redactDeep(parsed.data)));
  await ctx.upload(ctx.paths.manifest, 'manifest.yaml', 'application/yaml');
  await ctx.log(`validate: ${parsed.data.dataSources.length} data sources, action ${ctx.job.action}`);
  await ctx.uploadLog();
  return { counts: { dataSources: parsed.data.dataSources.length } };
}

/** Reads every data source, diffs against the checkpoints, writes the changed documents to docs.jsonl. */
export async function fetch(ctx: StageContext, input: ManifestFetchInput): Promise<ManifestStageResult> {
  const m = ctx.manifest;
  const out = new LineWriter(ctx.paths.docs);
  const sources: SourceDiff[] = [];
  let budget = ctx.job.options.maxDocs ?? Number.POSITIVE_INFINITY;
  let documents = 0;
  try {
    for (const source of m.dataSources) {
      const workDir = `${ctx.paths.scratch}/${source.id}`;
      await ensureDir(workDir);
      const reader = ctx.deps.parts.readerFor({
        source,
        workDir,
        secret: async (name) => {
          const ref = source.auth[name];
          return ref === undefined ? undefined : ctx.deps.secrets.resolve(ref);
        },
        log: (line) => void ctx.log(`fetch ${source.id}: ${line}`),
      });
      const started = Date.now();
      const diff = await diffSource({
        dataSourceId: source.id,
        reader,
        checkpoint: input.checkpoints[source.id],
        forceFull: ctx.job.options.forceFull === true,
        budget,
        out,
        signal: ctx.signal,
        progress: (seen) => ctx.heartbeat({ source: source.id, seen }),
      });
      if (diff.errors.length > 0) {
        const [first] = diff.errors;
        const what = `${source.id}: cannot read ${first.sourceDocId}: ${first.error}`;
        const more = diff.errors.length > 1 ? ` (and ${diff.errors.length - 1} more)` : '';
        // A plain error: the activity's retries may get past a passing outage.
        if (m.run.errorPolicy === 'fail') throw new Error(`${what}${more}`);
        for (const e of diff.errors.slice(0, 20))
          await ctx.log(`fetch ${source.id}: skipped ${e.sourceDocId}: ${e.error}`);
        if (diff.errors.length > 20)
          await ctx.log(`fetch ${source.id}: … ${diff.errors.length - 20} more skipped`);
      }
      budget -= diff.seen;
      documents += diff.seen;
      const { seen: _, truncated, ...kept } = diff;
      sources.push(kept);
      await ctx.log(
        `fetch ${source.id}: ${diff.seen} documents, ${diff.changed.length} changed, ${diff.vanished.length} vanished, ` +
          `${diff.skipped} unchanged${truncated ? ' (maxDocs reached)' : ''} in ${Date.now() - started} ms`,
      );
    }
  } finally {
    await out.close();
  }
  await writeJson(ctx.paths.diff, { sources, documents } satisfies Diff);
  await ctx.uploadLog();
  const sum = (f: (s: SourceDiff) => number) => sources.reduce((n, s) => n + f(s), 0);
  return {
    counts: {
      documents,
      changed: sum((s) => s.changed.length),
      vanished: sum((s) => s.vanished.length),
      skips: sum((s) => s.skipped),
      errors: sum((s) => s.errors.length),
    },
  };
}

/** Splits the changed documents into chunks with their point ids; writes `plan.json` (and, writing nothing, the summary). */
export async function transform(ctx: StageContext): Promise<ManifestStageResult> {
  const m = ctx.manifest;
  const diff = await readJson<Diff>(ctx.paths.diff);
  const out = new LineWriter(ctx.paths.chunks);
  let chunks = 0;
  let tokens = 0;
  let docs = 0;
  const allowed = allowedMetadataKeys(m);
  try {
    for await (const doc of readLines<ChangedDocument>(ctx.paths.docs)) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const metadata = allowlistMetadata(enrichMetadata(doc.metadata, m.transforms.enrichMetadata), allowed);
      const pieces = ctx.deps.parts.transform(doc, m.transforms);
      for (const [chunkIndex, piece] of pieces.entries()) {
        const id = pointId({
          manifestName: m.metadata.name,
          dataSourceId: doc.dataSourceId,
          sourceDocId: doc.sourceDocId,
          chunkIndex,
          provider: m.embeddings.provider,
          model: m.embeddings.model,
        });
        await out.write({
          id,
          dataSourceId: doc.dataSourceId,
          sourceDocId: doc.sourceDocId,
          docHash: doc.hash,
          chunkIndex,
          text: piece.text,
          tokens: piece.tokens,
          metadata,
        } satisfies ChunkRecord);
        chunks++;
        tokens += piece.tokens;
      }
      if (++docs % 100 === 0) ctx.heartbeat({ docs });
    }
  } finally {
    await out.close();
  }
  const sum = (f: (s: SourceDiff) => number) => diff.sources.reduce((n, s) => n + f(s), 0);
  const plan: Plan = {
    manifest: m.metadata.name,
    action: ctx.job.action,
    writesNothing: ctx.writesNothing,
    documents: diff.documents,
    changed: sum((s) => s.changed.length),
    skips: sum((s) => s.skipped),
    errors: sum((s) => s.errors.length),
    deletions: sum((s) => s.vanished.length),
    chunks,
    estimatedTokens: tokens,
    estimatedCostUsd: estimateCostUsd(m.embeddings.provider, m.embeddings.model, tokens),
    dataSources: diff.sources.map((s) => ({
      id: s.dataSourceId,
      changed: s.changed.length,
      vanished: s.vanished.length,
      skipped: s.skipped,
    })),
  };
  await writeJson(ctx.paths.plan, plan);
  await ctx.upload(ctx.paths.plan, 'plan.json', 'application/json');
  await ctx.log(`transform: ${docs} documents into ${chunks} chunks, about ${tokens} tokens`);
  if (ctx.writesNothing) {
    await writeJson(ctx.paths.summary, {
      ...ctx.emptySummary(),
      documents: plan.documents,
      changed: plan.changed,
      chunks,
      skips: plan.skips,
      errors: plan.errors,
      estimatedTokens: tokens,
    });
    await ctx.upload(ctx.paths.summary, 'run_summary.json', 'application/json');
    await ctx.log(`${ctx.job.action === 'plan' ? 'plan' : 'dry run'}: nothing written`);
  }
  await ctx.uploadLog();
  return { counts: { chunks, estimatedTokens: tokens, estimatedCostUsd: plan.estimatedCostUsd } };
}
