import {
  type Checkpoint,
  isUnreadable,
  type Reader,
  type SourceDocument,
  type UnreadableDocument,
} from './interfaces.ts';
import type { LineWriter } from './workspace.ts';

/** What fetch found for one data source, against its checkpoint. */
export interface SourceDiff {
  dataSourceId: string;
  /** New or changed documents (or all, with forceFull): their points are replaced. */
  changed: string[];
  /** In the checkpoint, gone from the source: their points are deleted. */
  vanished: string[];
  skipped: number;
  /** Listed but unreadable (errorPolicy skip): neither changed nor vanished; their checkpoint entry is kept. */
  errors: UnreadableDocument[];
  /** What the checkpoint becomes when the run succeeds. */
  checkpoint: { cursor: string | null; docs: Record<string, string> };
}

export interface ChangedDocument extends SourceDocument {
  dataSourceId: string;
}

/**
 * Reads one data source and diffs it against its checkpoint: unchanged documents (same hash) are skipped
 * unless forceFull; documents in the checkpoint the reader no longer reports have vanished. `budget` is what
 * is left of maxDocs; a source cut short by it reports no vanished documents (it did not see them all), and
 * its checkpoint keeps what it did not get to. An unreadable document keeps its previous hash, so its points stay
 * and the next run tries it again.
 */
export async function diffSource(opts: {
  dataSourceId: string;
  reader: Reader;
  checkpoint: Checkpoint | undefined;
  forceFull: boolean;
  budget: number;
  out: LineWriter;
  signal: AbortSignal;
  progress: (seen: number) => void;
}): Promise<SourceDiff & { seen: number; truncated: boolean }> {
  const previous = opts.checkpoint?.docs ?? {};
  const docs: Record<string, string> = {};
  const changed: string[] = [];
  const errors: UnreadableDocument[] = [];
  let skipped = 0;
  let seen = 0;
  let truncated = false;
  for await (const doc of opts.reader.documents(opts.signal)) {
    if (seen >= opts.budget) {
      truncated = true;
      break;
    }
    seen++;
    if (isUnreadable(doc)) {
      errors.push(doc);
      if (previous[doc.sourceDocId] !== undefined) docs[doc.sourceDocId] = previous[doc.sourceDocId];
      continue;
    }
    docs[doc.sourceDocId] = doc.hash;
    if (!opts.forceFull && previous[doc.sourceDocId] === doc.hash) skipped++;
    else {
      changed.push(doc.sourceDocId);
      await opts.out.write({ ...doc, dataSourceId: opts.dataSourceId } satisfies ChangedDocument);
    }
    if (seen % 50 === 0) opts.progress(seen);
  }
  const vanished = truncated ? [] : Object.keys(previous).filter((id) => !(id in docs));
  const kept = truncated ? { ...previous, ...docs } : docs;
  return {
    dataSourceId: opts.dataSourceId,
    changed,
    vanished,
    skipped,
    errors,
    seen,
    truncated,
    checkpoint: { cursor: opts.reader.cursor(), docs: kept },
  };
}
