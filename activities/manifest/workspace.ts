import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';

/**
 * A manifest run's workspace on its host: the stages hand documents, chunks and vectors on through these
 * files (JSON lines), never through Temporal payloads, so 10 MB of documents stay out of the history.
 */
export function manifestPaths(workspaceDir: string, jobId: string) {
  const root = join(workspaceDir, `manifest-${jobId}`);
  return {
    root,
    job: join(root, 'job.json'),
    /** Changed and new documents (fetch → transform). */
    docs: join(root, 'docs.jsonl'),
    /** Per data source: changed, vanished, skipped ids and the checkpoint to save (fetch → upsert). */
    diff: join(root, 'diff.json'),
    /** Chunks with their point ids (transform → embed, upsert). */
    chunks: join(root, 'chunks.jsonl'),
    /** One vector per chunk, in the same order (embed → upsert). */
    vectors: join(root, 'vectors.jsonl'),
    plan: join(root, 'plan.json'),
    summary: join(root, 'run_summary.json'),
    manifest: join(root, 'manifest.yaml'),
    log: join(root, 'manifest.log'),
    scratch: join(root, 'scratch'),
  };
}
export type ManifestPaths = ReturnType<typeof manifestPaths>;

export async function ensureDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true });
}

export const readJson = async <T>(path: string): Promise<T> => JSON.parse(await readFile(path, 'utf8')) as T;
export const writeJson = (path: string, value: unknown) =>
  writeFile(path, `${JSON.stringify(value, null, 2)}\n`);

export async function* readLines<T>(path: string): AsyncGenerator<T> {
  const lines = createInterface({
    input: createReadStream(path, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) if (line) yield JSON.parse(line) as T;
}

/** A JSON-lines writer that respects back-pressure. */
export class LineWriter {
  private readonly out: WriteStream;
  constructor(path: string) {
    this.out = createWriteStream(path, 'utf8');
  }
  async write(value: unknown): Promise<void> {
    if (!this.out.write(`${JSON.stringify(value)}\n`))
      await new Promise<void>((resolve) => this.out.once('drain', resolve));
  }
  async close(): Promise<void> {
    this.out.end();
    await finished(this.out);
  }
}

/** The run's log (an artifact): counts and timings only, never document content or secrets. */
export const logLine = (paths: ManifestPaths, line: string) =>
  appendFile(paths.log, `${new Date().toISOString()} ${line}\n`);
