import { createHash } from 'node:crypto';

/**
 * A point's id: sha256 of manifest name, data source id, source doc id, chunk index, provider and model,
 * shaped as a UUID (every store takes one). The same chunk of the same document always lands on the same
 * point, so a re-run overwrites and never duplicates; another model gets other points.
 */
export function pointId(parts: {
  manifestName: string;
  dataSourceId: string;
  sourceDocId: string;
  chunkIndex: number;
  provider: string;
  model: string;
}): string {
  const key = JSON.stringify([
    parts.manifestName,
    parts.dataSourceId,
    parts.sourceDocId,
    parts.chunkIndex,
    parts.provider,
    parts.model,
  ]);
  const h = createHash('sha256').update(key, 'utf8').digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
