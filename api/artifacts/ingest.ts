import { randomUUID } from 'node:crypto';
import { type Readable, Transform } from 'node:stream';
import { redactingLines } from '../../contracts/redacting-lines.ts';
import type { Sql } from '../../db/client.ts';
import { HttpError } from '../errors.ts';
import type { ArtifactStore } from './store.ts';

// A segment of the alphabet that is not `.` or `..`.
const segment = String.raw`(?:[A-Za-z0-9_-][A-Za-z0-9._-]*|\.[A-Za-z0-9_-][A-Za-z0-9._-]*|\.\.[A-Za-z0-9._-]+)`;
/** The rules of `artifactNameError` as one pattern (with maxLength 300), for the OpenAPI document. */
export const artifactNamePattern = `^${segment}(?:/${segment})*$`;

/** Path-like names (`logs/steps/step-0001.log`): no empty, `.` or `..` segments, a conservative alphabet. */
export function artifactNameError(name: string): string | null {
  if (name.length === 0 || name.length > 300) return 'must be 1-300 characters';
  if (!/^[A-Za-z0-9._/-]+$/.test(name)) return 'may only contain letters, digits, ".", "_", "-" and "/"';
  if (name.split('/').some((s) => s === '' || s === '.' || s === '..'))
    return 'must be a relative path without "." or ".." segments';
  return null;
}

/**
 * The name of an upload, from the raw request path (everything after `/artifacts/`), percent-decoded exactly
 * once; null when the encoding is malformed. The router's own decoding keeps a malformed value as it is, so
 * it cannot tell the two apart.
 */
export function artifactNameFromPath(rawPath: string): string | null {
  const encoded = rawPath.slice(rawPath.indexOf('/artifacts/') + '/artifacts/'.length);
  try {
    return decodeURIComponent(encoded);
  } catch {
    return null;
  }
}

/** Text is redacted line by line as it streams (credentials never reach the disk); binaries pass through. */
export const isRedactable = (contentType: string) =>
  /^text\//i.test(contentType) ||
  /^application\/([a-z.+-]*\+)?json\b/i.test(contentType) ||
  /^application\/x-ndjson\b/i.test(contentType);

function limitBytes(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > max) done(new HttpError('payload_too_large', `artifacts are limited to ${max} bytes`));
      else done(null, chunk);
    },
  });
}

export interface ArtifactRow {
  id: string;
  name: string;
  size: number;
  contentType: string;
  sha256: string;
  createdAt: string;
}

/**
 * Store an uploaded artifact: size-limited, redacted when it is text, hashed; a re-upload of the same name
 * replaces the bytes and metadata (the id stays, so download links keep working).
 */
export async function ingestArtifact(
  deps: { sql: Sql; artifacts: ArtifactStore; maxBytes: number },
  jobId: string,
  name: string,
  contentType: string,
  body: Readable,
): Promise<ArtifactRow> {
  const storageKey = `${jobId}/${randomUUID()}`;
  let source: Readable = body.pipe(limitBytes(deps.maxBytes));
  body.on('error', (err) => source.destroy(err));
  if (isRedactable(contentType)) {
    const redacting = redactingLines();
    source.on('error', (err) => redacting.destroy(err));
    source = source.pipe(redacting);
  }
  const { size, sha256 } = await deps.artifacts.put(storageKey, source);
  const [row] = await deps.sql<(ArtifactRow & { previousKey: string | null })[]>`
    WITH previous AS (SELECT storage_key FROM artifacts WHERE job_id = ${jobId} AND name = ${name})
    INSERT INTO artifacts (id, job_id, name, size, content_type, sha256, storage_key)
    VALUES (${randomUUID()}, ${jobId}, ${name}, ${size}, ${contentType}, ${sha256}, ${storageKey})
    ON CONFLICT (job_id, name) DO UPDATE SET size = EXCLUDED.size, content_type = EXCLUDED.content_type,
      sha256 = EXCLUDED.sha256, storage_key = EXCLUDED.storage_key, created_at = now()
    RETURNING id, name, size::float8 AS size, content_type AS "contentType", sha256, created_at AS "createdAt",
      (SELECT storage_key FROM previous) AS "previousKey"`;
  if (row.previousKey && row.previousKey !== storageKey)
    await deps.artifacts.delete(row.previousKey).catch(() => {});
  const { previousKey: _, ...artifact } = row;
  return { ...artifact, createdAt: new Date(artifact.createdAt).toISOString() };
}

export async function listArtifacts(sql: Sql, jobId: string): Promise<ArtifactRow[]> {
  const rows = await sql<ArtifactRow[]>`
    SELECT id, name, size::float8 AS size, content_type AS "contentType", sha256, created_at AS "createdAt"
    FROM artifacts WHERE job_id = ${jobId} ORDER BY name`;
  return rows.map((r) => ({ ...r, createdAt: new Date(r.createdAt).toISOString() }));
}

export async function findArtifact(
  sql: Sql,
  jobId: string,
  artifactId: string,
): Promise<(ArtifactRow & { storageKey: string }) | null> {
  const [row] = await sql<(ArtifactRow & { storageKey: string })[]>`
    SELECT id, name, size::float8 AS size, content_type AS "contentType", sha256, created_at AS "createdAt",
      storage_key AS "storageKey"
    FROM artifacts WHERE job_id = ${jobId} AND id = ${artifactId}`;
  return row ?? null;
}
