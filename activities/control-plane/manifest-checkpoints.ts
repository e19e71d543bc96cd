import type { SaveManifestCheckpointsInput } from '../../contracts/manifest-activities.ts';
import type { Sql } from '../../db/client.ts';
import { getCheckpoint, saveCheckpoints } from '../../db/manifests.ts';
import type { Checkpoint } from '../manifest/interfaces.ts';

/** Per data source id: what the last successful run of this manifest saw (empty when none did). */
export async function loadManifestCheckpoints(
  sql: Sql,
  input: { manifestName: string; dataSourceIds: string[] },
): Promise<Record<string, Checkpoint>> {
  const entries = await Promise.all(
    input.dataSourceIds.map(async (id) => [id, await getCheckpoint(sql, input.manifestName, id)] as const),
  );
  return Object.fromEntries(entries);
}

/** Called only when a run succeeded: the next run starts from here (all sources at once). */
export function saveManifestCheckpoints(sql: Sql, input: SaveManifestCheckpointsInput): Promise<void> {
  return saveCheckpoints(
    sql,
    input.manifestName,
    input.jobId,
    Object.entries(input.checkpoints).map(([dataSourceId, c]) => ({ dataSourceId, ...c })),
  );
}
