import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { templateBodySchema } from '../../contracts/presets.ts';
import type { Sql } from '../../db/client.ts';
import { unresolvedPlaceholders } from './expand.ts';
import { insertTemplate } from './store.ts';

export const seedPresetsDir = fileURLToPath(new URL('../../presets/', import.meta.url));

/**
 * The presets shipped in `presets/*.json` (global templates), inserted at API start. Idempotent: a version
 * already in the catalog is left as it is (released versions are immutable; a changed seed is a new
 * version). A seed file that is not a valid template stops the start, naming the file.
 */
export async function loadSeedPresets(sql: Sql, dir = seedPresetsDir): Promise<string[]> {
  const added: string[] = [];
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  for (const file of files) {
    const parsed = templateBodySchema.safeParse(JSON.parse(await readFile(path.join(dir, file), 'utf8')));
    const problems = parsed.success
      ? [
          ...(parsed.data.scope === 'global' ? [] : [{ path: 'scope', message: 'seed presets are global' }]),
          ...unresolvedPlaceholders(parsed.data),
        ]
      : parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    if (!parsed.success || problems.length)
      throw new Error(
        `seed preset ${file} is invalid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      );
    if (await insertTemplate(sql, parsed.data, { ownerKey: '', ownerId: null, createdBy: null }))
      added.push(`${parsed.data.slug}@${parsed.data.version}`);
  }
  return added;
}
