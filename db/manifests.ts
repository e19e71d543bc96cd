import type { Checkpoint } from '../activities/manifest/interfaces.ts';
import type { Sql } from './client.ts';

/**
 * The manifest registry and the per-(manifest, data source) checkpoints (migration 010). Checkpoints are keyed
 * by manifest name so inline manifests resume incrementally too.
 */

export interface ManifestRecord {
  name: string;
  hash: string;
  version: string;
  revision: number;
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
  lastRun: {
    jobId: string;
    status: string | null;
    startedAt: string | null;
    finishedAt: string | null;
  } | null;
}
export interface ManifestRecordWithContent extends ManifestRecord {
  content: string;
}
export interface CheckpointState {
  dataSourceId: string;
  docCount: number;
  cursor: string | null;
  lastRunJobId: string | null;
  lastSuccessAt: string | null;
}

interface RawRecord {
  name: string;
  content?: string;
  hash: string;
  version: string;
  revision: number;
  updated_by: string;
  created_at: Date;
  updated_at: Date;
  last_run_job_id: string | null;
  last_run_status: string | null;
  last_run_started_at: Date | null;
  last_run_finished_at: Date | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const fromRaw = (r: RawRecord): ManifestRecord => ({
  name: r.name,
  hash: r.hash,
  version: r.version,
  revision: r.revision,
  updatedBy: r.updated_by,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
  lastRun: r.last_run_job_id
    ? {
        jobId: r.last_run_job_id,
        status: r.last_run_status,
        startedAt: iso(r.last_run_started_at),
        finishedAt: iso(r.last_run_finished_at),
      }
    : null,
});

export async function listManifests(sql: Sql): Promise<ManifestRecord[]> {
  const rows = await sql<RawRecord[]>`
    SELECT name, hash, version, revision, updated_by, created_at, updated_at, last_run_job_id, last_run_status,
      last_run_started_at, last_run_finished_at
    FROM manifests ORDER BY name`;
  return rows.map(fromRaw);
}

export async function getManifest(sql: Sql, name: string): Promise<ManifestRecordWithContent | null> {
  const [row] = await sql<RawRecord[]>`SELECT * FROM manifests WHERE name = ${name}`;
  return row ? { ...fromRaw(row), content: row.content ?? '' } : null;
}

/** Stores the content; the revision goes up only when the content changed. Returns the record and whether it did. */
export async function putManifest(
  sql: Sql,
  m: { name: string; content: string; hash: string; version: string; updatedBy: string },
): Promise<{ record: ManifestRecord; created: boolean; changed: boolean }> {
  const [row] = await sql<(RawRecord & { inserted: boolean; prev_hash: string | null })[]>`
    WITH prev AS (SELECT hash FROM manifests WHERE name = ${m.name})
    INSERT INTO manifests (name, content, hash, version, updated_by)
    VALUES (${m.name}, ${m.content}, ${m.hash}, ${m.version}, ${m.updatedBy})
    ON CONFLICT (name) DO UPDATE SET
      content = EXCLUDED.content, hash = EXCLUDED.hash, version = EXCLUDED.version,
      updated_by = CASE WHEN manifests.hash = EXCLUDED.hash THEN manifests.updated_by ELSE EXCLUDED.updated_by END,
      revision = manifests.revision + CASE WHEN manifests.hash = EXCLUDED.hash THEN 0 ELSE 1 END,
      updated_at = CASE WHEN manifests.hash = EXCLUDED.hash THEN manifests.updated_at ELSE now() END
    RETURNING name, hash, version, revision, updated_by, created_at, updated_at, last_run_job_id,
      last_run_status, last_run_started_at, last_run_finished_at, (xmax = 0) AS inserted,
      (SELECT hash FROM prev) AS prev_hash`;
  if (!row) throw new Error(`manifest ${m.name} was not stored`);
  return { record: fromRaw(row), created: row.inserted, changed: row.prev_hash !== m.hash };
}

/** Called by the engine as a run starts and ends; a no-op for manifests not in the registry (inline). */
export async function recordLastRun(
  sql: Sql,
  name: string,
  run: { jobId: string; status: string; startedAt?: string | null; finishedAt?: string | null },
): Promise<void> {
  await sql`
    UPDATE manifests SET last_run_job_id = ${run.jobId}, last_run_status = ${run.status},
      last_run_started_at = COALESCE(${run.startedAt ?? null}::timestamptz,
        CASE WHEN last_run_job_id = ${run.jobId} THEN last_run_started_at END),
      last_run_finished_at = ${run.finishedAt ?? null}::timestamptz
    WHERE name = ${name}`;
}

interface RawCheckpoint {
  data_source_id: string;
  cursor: string | null;
  docs: Record<string, string>;
  doc_count?: number;
  last_run_job_id: string | null;
  last_success_at: Date | null;
}

/** What the last successful run of this data source saw; empty when none did. */
export async function getCheckpoint(
  sql: Sql,
  manifestName: string,
  dataSourceId: string,
): Promise<Checkpoint> {
  const [row] = await sql<RawCheckpoint[]>`
    SELECT data_source_id, cursor, docs, last_run_job_id, last_success_at FROM manifest_checkpoints
    WHERE manifest_name = ${manifestName} AND data_source_id = ${dataSourceId}`;
  if (!row) return { cursor: null, docs: {}, lastRunJobId: null, lastSuccessAt: null };
  return {
    cursor: row.cursor,
    docs: row.docs,
    lastRunJobId: row.last_run_job_id,
    lastSuccessAt: iso(row.last_success_at),
  };
}

/** Saves every data source's checkpoint of one successful run at once (all or none). */
export async function saveCheckpoints(
  sql: Sql,
  manifestName: string,
  jobId: string,
  entries: { dataSourceId: string; cursor: string | null; docs: Record<string, string> }[],
): Promise<void> {
  await sql.begin(async (tx) => {
    for (const e of entries) {
      await tx`
        INSERT INTO manifest_checkpoints
          (manifest_name, data_source_id, cursor, docs, last_run_job_id, last_success_at, updated_at)
        VALUES (${manifestName}, ${e.dataSourceId}, ${e.cursor}, ${tx.json(e.docs)}, ${jobId}, now(), now())
        ON CONFLICT (manifest_name, data_source_id) DO UPDATE SET
          cursor = EXCLUDED.cursor, docs = EXCLUDED.docs, last_run_job_id = EXCLUDED.last_run_job_id,
          last_success_at = EXCLUDED.last_success_at, updated_at = EXCLUDED.updated_at`;
    }
  });
}

/** Checkpoint state per data source for the registry view (counts, not the doc map). */
export async function listCheckpoints(sql: Sql, manifestName: string): Promise<CheckpointState[]> {
  const rows = await sql<RawCheckpoint[]>`
    SELECT data_source_id, cursor, (SELECT count(*)::int FROM jsonb_object_keys(docs)) AS doc_count,
      last_run_job_id, last_success_at
    FROM manifest_checkpoints WHERE manifest_name = ${manifestName} ORDER BY data_source_id`;
  return rows.map((r) => ({
    dataSourceId: r.data_source_id,
    docCount: r.doc_count ?? 0,
    cursor: r.cursor,
    lastRunJobId: r.last_run_job_id,
    lastSuccessAt: iso(r.last_success_at),
  }));
}
