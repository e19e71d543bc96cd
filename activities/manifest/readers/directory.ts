import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import picomatch from 'picomatch';
import type { Reader, ReaderContext, SourceDocument, UnreadableDocument } from '../interfaces.ts';
import { looksBinary, mimeTypeOf, sourceDocument } from './document.ts';
import type { DirectoryParams } from './params.ts';

/** Relative POSIX paths of the regular files under `root` (symlinks are not followed: they could leave it). */
export async function* walkFiles(
  root: string,
  recursive: boolean,
  signal: AbortSignal,
  dir = '',
): AsyncGenerator<string> {
  const entries = await readdir(join(root, dir), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    signal.throwIfAborted();
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (recursive) yield* walkFiles(root, recursive, signal, rel);
    } else if (e.isFile()) yield rel;
  }
}

/** A path filter from include/exclude globs (dotfiles match too: a manifest names what it wants). */
export function pathFilter(include: string[], exclude: string[]): (path: string) => boolean {
  const inc = picomatch(include, { dot: true });
  const exc = exclude.length ? picomatch(exclude, { dot: true }) : () => false;
  return (p) => inc(p) && !exc(p);
}

/** Files of a local directory; ids are paths relative to it, so a moved directory keeps its checkpoint. */
export class SimpleDirectoryReader implements Reader {
  constructor(
    private readonly params: DirectoryParams,
    private readonly ctx: Pick<ReaderContext, 'log'>,
  ) {}

  async *documents(signal: AbortSignal): AsyncIterable<SourceDocument | UnreadableDocument> {
    const root = resolve(this.params.path);
    const wanted = pathFilter(this.params.include, this.params.exclude);
    let skipped = 0;
    for await (const rel of walkFiles(root, this.params.recursive, signal)) {
      if (!wanted(rel)) continue;
      const file = join(root, rel);
      let size: number;
      let bytes: Buffer;
      try {
        size = (await lstat(file)).size;
        if (size > this.params.maxFileBytes) {
          skipped++;
          continue;
        }
        bytes = await readFile(file);
      } catch (err) {
        // Gone or unreadable since the listing: the engine's error policy decides.
        yield { sourceDocId: rel, error: (err as NodeJS.ErrnoException).code ?? (err as Error).message };
        continue;
      }
      if (looksBinary(bytes)) {
        skipped++;
        continue;
      }
      yield sourceDocument(rel, bytes.toString('utf8'), mimeTypeOf(rel), { path: rel, size });
    }
    if (skipped) this.ctx.log(`SimpleDirectoryReader: skipped ${skipped} binary or oversized file(s)`);
  }

  cursor(): string | null {
    return null;
  }
}
