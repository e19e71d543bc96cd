import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { JobEvent } from '../../../contracts/events.ts';
import { type ManifestRunSummary, type ManifestStage, manifestStages } from '../../../contracts/manifest.ts';
import { parseManifest } from '../../../contracts/manifest-parse.ts';
import type { Issue } from '../api/client.ts';
import { formatDuration } from './format.ts';

/** The Manifests pages' logic as pure functions: issues on lines, plan figures, stage counts. */

/** A validation message placed on a line of the editor (1-based; null: the document as a whole). */
export interface LineIssue {
  path: string;
  message: string;
  line: number | null;
}

/** `dataSources[0].type` → `['dataSources', 0, 'type']` (the API's and zod's YAML paths). */
export function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return out;
}

/**
 * The line a YAML path points at: the key's line when the key is there, else the deepest parent that is
 * (a missing required field is reported where its parent starts). Null when the text does not parse.
 */
export function lineOfPath(content: string, path: string): number | null {
  const counter = new LineCounter();
  const doc = parseDocument(content, { lineCounter: counter, keepSourceTokens: false });
  let node: Node | null = doc.contents as Node | null;
  let offset: number | null = node?.range?.[0] ?? null;
  for (const seg of pathSegments(path)) {
    if (isMap(node)) {
      const pair = node.items.find((p) => {
        const k = p.key as Node | null;
        return k !== null && typeof k === 'object' && 'value' in k && String(k.value) === String(seg);
      });
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      node = node.items[seg] as Node | null;
      offset = node?.range?.[0] ?? offset;
    } else break;
  }
  return offset === null ? null : counter.linePos(offset).line;
}

/** The API's 400 issues (paths, maybe lines) placed on lines of the text that was saved. */
export function issuesOnLines(content: string, issues: readonly (Issue & { line?: number })[]): LineIssue[] {
  return issues.map((i) => ({
    path: i.path,
    message: i.message,
    line: typeof i.line === 'number' ? i.line : lineOfPath(content, stripBody(i.path)),
  }));
}
// The PUT body is `{ content }`: the API may name the field before the YAML path.
const stripBody = (path: string) => path.replace(/^content\.?/, '');

/**
 * Client-side check as the user types: the API's own parse + validate (contracts/manifest-parse.ts), so a
 * text without issues here is one the server accepts (the name check aside).
 */
export function checkManifestText(content: string): LineIssue[] {
  const result = parseManifest(content);
  return result.ok
    ? []
    : result.issues.map((i) => ({ path: i.path, message: i.message, line: i.line ?? null }));
}

/** Issues by line, for the gutter and the messages next to it. */
export function issuesByLine(issues: readonly LineIssue[]): Map<number, LineIssue[]> {
  const out = new Map<number, LineIssue[]>();
  for (const i of issues) {
    const line = i.line ?? 1;
    out.set(line, [...(out.get(line) ?? []), i]);
  }
  return out;
}

/** A new manifest's starting text: valid v0 with a local directory source. */
export const manifestTemplate = (name: string) => `version: "v0"
metadata:
  name: ${name || 'my-docs'}
  description: Documents to index
embeddings:
  provider: openai
  model: text-embedding-3-small
  apiKey: env://OPENAI_API_KEY
vectorStore:
  type: pgvector
  indexName: ${(name || 'my_docs').replace(/[^a-z0-9_]/g, '_')}
  allowCreateCollection: true
dataSources:
  - id: docs
    type: SimpleDirectoryReader
    params:
      path: ./docs
      include: ["**/*.md"]
transforms:
  splitter:
    type: TokenTextSplitter
    chunkSize: 512
    chunkOverlap: 64
`;

/** The name the text declares (`metadata.name`), for a new manifest's URL; null while it has none. */
export function declaredName(content: string): string | null {
  try {
    const v = parseDocument(content).getIn(['metadata', 'name']);
    return typeof v === 'string' && v.length > 0 ? v : null;
  } catch {
    return null;
  }
}

/** `plan.json`'s figures the plan preview shows; missing numbers read as null (not 0: "unknown"). */
export interface PlanFigures {
  documents: number | null;
  chunks: number | null;
  estimatedTokens: number | null;
  estimatedCostUsd: number | null;
}
export function planFigures(plan: unknown): PlanFigures {
  const o = (plan && typeof plan === 'object' ? plan : {}) as Record<string, unknown>;
  const num = (...keys: string[]) => {
    for (const k of keys) if (typeof o[k] === 'number' && Number.isFinite(o[k])) return o[k] as number;
    return null;
  };
  return {
    documents: num('documents'),
    chunks: num('chunks'),
    estimatedTokens: num('estimatedTokens', 'tokens'),
    estimatedCostUsd: num('estimatedCostUsd', 'estimatedCost', 'cost'),
  };
}

/** One stage's figures from its `moonmind.manifest.<stage>.finished` event: counts and duration. */
export interface StageCounts {
  stage: ManifestStage;
  counts: Record<string, number>;
  durationMs: number | null;
}
const finishedType = /^moonmind\.manifest\.([a-z]+)\.finished$/;
/** The finished stages in pipeline order (the latest event of each wins: a retried stage shows its last). */
export function stageCounts(events: readonly Pick<JobEvent, 'type' | 'payload'>[]): StageCounts[] {
  const byStage = new Map<ManifestStage, StageCounts>();
  for (const e of events) {
    const stage = finishedType.exec(e.type)?.[1] as ManifestStage | undefined;
    if (!stage || !(manifestStages as readonly string[]).includes(stage)) continue;
    const p = (e.payload ?? {}) as Record<string, unknown>;
    const source = p.counts && typeof p.counts === 'object' ? (p.counts as Record<string, unknown>) : p;
    const counts: Record<string, number> = {};
    for (const [k, v] of Object.entries(source))
      if (typeof v === 'number' && k !== 'durationMs' && k !== 'elapsedMs') counts[k] = v;
    const d = p.durationMs ?? p.elapsedMs;
    byStage.set(stage, { stage, counts, durationMs: typeof d === 'number' ? d : null });
  }
  return manifestStages.flatMap((s) => byStage.get(s) ?? []);
}

/** The run summary's count rows, in the order a reader checks them. */
export const summaryRows: { key: keyof Omit<ManifestRunSummary, 'durationsMs'>; label: string }[] = [
  { key: 'documents', label: 'Documents' },
  { key: 'changed', label: 'Changed' },
  { key: 'chunks', label: 'Chunks' },
  { key: 'upserts', label: 'Upserts' },
  { key: 'deletions', label: 'Deletions' },
  { key: 'skips', label: 'Skips' },
  { key: 'errors', label: 'Errors' },
  { key: 'estimatedTokens', label: 'Estimated tokens' },
];

/** Whether an artifact is the named one of a manifest run (names may carry a folder). */
export const isArtifact = (name: string, wanted: 'plan.json' | 'run_summary.json') =>
  name === wanted || name.endsWith(`/${wanted}`);

/** A stage's time: stages often take under a second, so milliseconds there. */
export const stageTime = (ms: number | null) =>
  ms === null ? '—' : ms < 1000 ? `${Math.round(ms)} ms` : formatDuration(ms);
