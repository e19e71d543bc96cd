import { readdir, rm, rmdir, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Disk use stays bounded: an attempt that succeeded leaves nothing behind once its artifacts are stored (they
 * were uploaded by the activities before `releaseHost`); a failed or cancelled attempt's workspace is kept for
 * `MOONMIND_WORKSPACE_RETENTION_HOURS`, for inspection, then removed by the sweep (at worker start and every
 * few minutes), which also removes leftovers of attempts that never released (a crashed worker) once they are
 * that old.
 */
export const RELEASED = '.released';

export async function removeWorkspace(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
  // The job's directory goes with its last attempt.
  await rmdir(dirname(root)).catch(() => {});
}

/** A kept workspace: the sweep counts its retention from now. */
export async function markReleased(root: string): Promise<void> {
  const marker = join(root, RELEASED);
  await writeFile(marker, `${new Date().toISOString()}\n`).catch(() => {});
  const now = new Date();
  await utimes(marker, now, now).catch(() => {});
}

/**
 * Remove the attempt workspaces under `workspaceDir` that are past their retention: released ones counted from
 * their release, never-released ones from their last change. `inUse` keeps an attempt that still runs (this
 * process's leases, another live worker's). Returns what was removed.
 */
export async function sweepWorkspaces(
  workspaceDir: string,
  retentionMs: number,
  inUse: (root: string) => Promise<boolean> | boolean,
): Promise<string[]> {
  const removed: string[] = [];
  const now = Date.now();
  const jobs = await readdir(workspaceDir, { withFileTypes: true }).catch(() => []);
  for (const job of jobs) {
    if (!job.isDirectory() || job.name.startsWith('.')) continue;
    const jobDir = join(workspaceDir, job.name);
    const attempts = await readdir(jobDir, { withFileTypes: true }).catch(() => []);
    for (const attempt of attempts) {
      if (!attempt.isDirectory() || !/^attempt-\d+$/.test(attempt.name)) continue;
      const root = join(jobDir, attempt.name);
      const since =
        (await stat(join(root, RELEASED)).catch(() => null))?.mtimeMs ??
        (await stat(root).catch(() => null))?.mtimeMs;
      if (since === undefined || now - since < retentionMs || (await inUse(root))) continue;
      await removeWorkspace(root);
      removed.push(root);
    }
  }
  return removed;
}
