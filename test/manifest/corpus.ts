import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A deterministic local corpus for ingestion benchmarks and tests: N text documents of about 5 KB each
 * (`doc-00000.md`, …) under `dir`, read by SimpleDirectoryReader. The same (n, round) always writes the
 * same bytes, so hashes, chunk counts and token estimates are stable across machines.
 */
const words = [
  'manifest',
  'vector',
  'embedding',
  'checkpoint',
  'reader',
  'chunk',
  'token',
  'document',
  'pipeline',
  'worker',
  'temporal',
  'activity',
  'signal',
  'query',
  'artifact',
  'event',
  'retry',
  'schedule',
  'index',
  'search',
  'cosine',
  'distance',
  'metadata',
  'source',
  'upsert',
  'delete',
  'hash',
  'cursor',
  'batch',
  'the',
  'a',
  'of',
  'and',
  'to',
  'in',
  'is',
  'for',
  'with',
  'on',
  'that',
  'each',
  'run',
  'stage',
];

/** A small seeded PRNG (mulberry32): deterministic text without a dependency. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const corpusFileName = (i: number) => `doc-${String(i).padStart(5, '0')}.md`;

/** The text of document `i` at `round` (round 0 = as first written; a change bumps the round). */
export function corpusText(i: number, round = 0, bytes = 5_000): string {
  const next = prng(i * 7919 + round * 104_729 + 1);
  const lines = [`# Document ${i} (revision ${round})`, ''];
  let size = lines.join('\n').length;
  while (size < bytes) {
    const n = 8 + Math.floor(next() * 12);
    const sentence = Array.from({ length: n }, () => words[Math.floor(next() * words.length)]).join(' ');
    const line = `${sentence[0]!.toUpperCase()}${sentence.slice(1)}.`;
    lines.push(line);
    size += line.length + 1;
  }
  return `${lines.join('\n')}\n`;
}

/** Writes documents 0..n-1 at round 0; returns their file names (the reader's source doc ids). */
export async function writeCorpus(dir: string, n: number, bytes = 5_000): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    names.push(corpusFileName(i));
    await writeFile(join(dir, corpusFileName(i)), corpusText(i, 0, bytes));
  }
  return names;
}

/**
 * Rewrites `percent` % of the n documents (evenly spread, deterministic) at `round` (>= 1; use a new round
 * for each successive change); returns the changed file names.
 */
export async function changeCorpus(
  dir: string,
  n: number,
  percent: number,
  round = 1,
  bytes = 5_000,
): Promise<string[]> {
  const count = Math.round((n * percent) / 100);
  const step = count > 0 ? n / count : 0;
  const changed: string[] = [];
  for (let k = 0; k < count; k++) {
    const i = Math.floor(k * step);
    changed.push(corpusFileName(i));
    await writeFile(join(dir, corpusFileName(i)), corpusText(i, round, bytes));
  }
  return changed;
}
