import { chmod, mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * The data dir holds the embedded PostgreSQL, Temporal's database and the artifact store: nothing an agent
 * CLI may read. It is private (0700), or traverse-only (0711) when the workspaces live inside it, so the
 * agent user can pass through to its own workspace; everything else in it is private, including what an
 * earlier version left readable.
 */
export async function protectDataDir(dataDir: string, workspaceDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const rel = path.relative(dataDir, workspaceDir);
  const inside = rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  await chmod(dataDir, inside ? 0o711 : 0o700);
  const passage = inside ? rel.split(path.sep)[0] : null;
  for (const name of await readdir(dataDir)) {
    const entry = path.join(dataDir, name);
    const mode = (await stat(entry)).mode & 0o777;
    // The entry on the way to the workspaces is opened (0711) by the worker at its start.
    if (name !== passage) await chmod(entry, mode & 0o700);
  }
}
