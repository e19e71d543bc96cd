import { createHash } from 'node:crypto';
import type { SourceDocument } from '../interfaces.ts';

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** A SourceDocument whose hash is the sha256 of its text, so an unchanged document hashes the same every run. */
export const sourceDocument = (
  sourceDocId: string,
  text: string,
  mimeType: string,
  metadata: SourceDocument['metadata'],
): SourceDocument => ({ sourceDocId, hash: sha256(text), text, mimeType, metadata });

/** Text files only: a NUL byte in the first 8 KB marks a binary (the heuristic git uses). */
export const looksBinary = (bytes: Uint8Array) => bytes.subarray(0, 8000).includes(0);

const mimeByExtension: Record<string, string> = {
  html: 'text/html',
  htm: 'text/html',
  md: 'text/markdown',
  markdown: 'text/markdown',
  json: 'application/json',
  csv: 'text/csv',
};
export const mimeTypeOf = (path: string) =>
  mimeByExtension[path.split('.').pop()?.toLowerCase() ?? ''] ?? 'text/plain';

/** A reader's failure; `retryable` false for what a retry cannot fix (auth refused, not found). */
export class ReaderError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}
