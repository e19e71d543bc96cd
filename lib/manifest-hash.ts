import { createHash } from 'node:crypto';
import type { ManifestV0 } from '../contracts/manifest.ts';
import { canonicalJson } from '../contracts/manifest-parse.ts';

/**
 * sha256 of the validated manifest's canonical JSON (defaults filled, keys sorted): comments, key order and
 * formatting do not change it; any setting does.
 */
export function manifestHash(manifest: ManifestV0): string {
  return createHash('sha256').update(canonicalJson(manifest)).digest('hex');
}
