import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * A worker's host id, stable across restarts: the pool plus a digest of the machine and the workspace dir.
 * A restarted worker is then the same host (same task queue, same workspaces), so it can fail over the
 * attempts it lost at once and clean their workspaces.
 */
export function stableHostId(pool: string, workspaceDir: string): string {
  const digest = createHash('sha256')
    .update(`${hostname()}\n${resolve(workspaceDir)}`)
    .digest('hex');
  return `${pool}-${digest.slice(0, 6)}`;
}

/** The start time of a process (clock ticks since boot, /proc/PID/stat field 22): with the pid, unique. */
async function startTimeOf(pid: number | 'self'): Promise<string | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  // The command name (field 2) may hold spaces: count from the closing parenthesis.
  return stat ? (stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null) : null;
}

/**
 * One live worker per workspace dir (two would share a host id and each other's workspaces): claims
 * `<dir>/.worker` for this process, or throws naming the live holder. A holder that died (its pid gone, or
 * reused by a process started later) does not count.
 */
export async function claimWorkspaceDir(workspaceDir: string): Promise<void> {
  const dir = resolve(workspaceDir);
  await mkdir(dir, { recursive: true });
  const lock = join(dir, '.worker');
  const held = (await readFile(lock, 'utf8').catch(() => '')).trim().split(' ');
  const pid = Number.parseInt(held[0] ?? '', 10);
  if (pid > 0 && pid !== process.pid && held[1] && (await startTimeOf(pid)) === held[1]) {
    throw new Error(
      `another worker (pid ${pid}) is using MOONMIND_WORKSPACE_DIR=${dir}; give each worker its own workspace dir`,
    );
  }
  const tmp = `${lock}.${process.pid}`;
  await writeFile(tmp, `${process.pid} ${await startTimeOf('self')}\n`);
  await rename(tmp, lock);
}
