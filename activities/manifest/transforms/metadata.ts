import type { ManifestV0 } from '../../../contracts/manifest.ts';
import type { SourceDocument } from '../interfaces.ts';

type Metadata = SourceDocument['metadata'];

/** The manifest's static `transforms.enrichMetadata` key/values added to a document's own (the manifest wins). */
export const enrichMetadata = (metadata: Metadata, extra: Record<string, string> | undefined): Metadata =>
  extra ? { ...metadata, ...extra } : metadata;

/**
 * The metadata keys a stored point may carry (besides the engine's own ids and hash): the manifest's
 * `security.allowlistMetadata` plus the keys it adds itself with `enrichMetadata`. A reader's metadata
 * (paths, titles, URLs) reaches the vector store only when allowlisted.
 */
export const allowedMetadataKeys = (m: Pick<ManifestV0, 'security' | 'transforms'>): Set<string> =>
  new Set([...m.security.allowlistMetadata, ...Object.keys(m.transforms.enrichMetadata ?? {})]);

/** Only the allowlisted keys of `metadata`. */
export function allowlistMetadata(metadata: Metadata, allowed: ReadonlySet<string>): Metadata {
  const kept: Metadata = {};
  for (const [k, v] of Object.entries(metadata)) if (allowed.has(k)) kept[k] = v;
  return kept;
}
