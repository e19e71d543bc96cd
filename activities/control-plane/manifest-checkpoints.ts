import type { SaveManifestCheckpointsInput } from '../../contracts/manifest-activities.ts';
import type { Sql } from '../../db/client.ts';
import type { Checkpoint } from '../manifest/interfaces.ts';

/** Per data source id: what the last successful run of this manifest saw. */
export async function loadManifestCheckpoints(
  sql: Sql,
  manifestName: string,
): Promise<Record<string, Checkpoint>> {
  const rows = await sql<
    {
      data_source_id: string;
      cursor: string | null;
      docs: Record<string, string>;
      last_run_job_id: string | null;
      last_success_at: Date | null;
    }[]
  >`SELECT data_source_id, cursor, docs, last_run_job_id, last_success_at
      FROM manifest_checkpoints WHERE manifest_name = ${manifestName}`;
  return Object.fromEntries(
    rows.map((r) => [
      r.data_source_id,
      {
        cursor: r.cursor,
        docs: r.docs,
        lastRunJobId: r.last_run_job_id,
        lastSuccessAt: r.last_success_at?.toISOString() ?? null,
      },
    ]),
  );
}

/** Called only when a run succeeded: the next run starts from here. One transaction for all sources. */
export async function saveManifestCheckpoints(sql: Sql, input: SaveManifestCheckpointsInput): Promise<void> {
  await sql.begin(async (tx) => {
    for (const [dataSourceId, c] of Object.entries(input.checkpoints)) {
      await tx`INSERT INTO manifest_checkpoints
          (manifest_name, data_source_id, cursor, docs, last_run_job_id, last_success_at, updated_at)
        VALUES (${input.manifestName}, ${dataSourceId}, ${c.cursor}, ${tx.json(c.docs)}, ${input.jobId}, now(), now())
        ON CONFLICT (manifest_name, data_source_id) DO UPDATE SET
          cursor = EXCLUDED.cursor, docs = EXCLUDED.docs, last_run_job_id = EXCLUDED.last_run_job_id,
          last_success_at = EXCLUDED.last_success_at, updated_at = now()`;
    }
  });
}
