import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import {
  chmod,
  chown,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  stat,
  symlink,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { dirname, join, parse, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { WorkspacePaths } from '../task/workspace.ts';

const run = promisify(execFile);

/** Who an agent CLI runs as: the agent user, with its attempt's own group. */
export interface AgentIdentity {
  uid: number;
  gid: number;
}

export interface SandboxOptions {
  /** MOONMIND_AGENT_USER. */
  user: string;
  /** MOONMIND_WORKSPACE_DIR. */
  workspaceDir: string;
  log: (level: 'info' | 'warn', message: string) => void;
}

/**
 * Locks of attempt groups live host-wide (not per workspace dir), so two workers with different workspace
 * dirs never hand out the same group; /run is emptied on reboot, when every agent is gone anyway.
 */
export const LOCKS_DIR = '/run/moonmind/agent-gids';

/** Group ids handed to attempts: `base` up to (not including) `base + count`. */
export interface GroupRange {
  base: number;
  count: number;
}

/** High ids no distribution hands out, so no file on the host already belongs to one. */
const preferred: GroupRange = { base: 1_500_000_000, count: 1_000_000 };

/**
 * The attempt-group range this user namespace can use (`/proc/self/gid_map`: inside, outside, count per
 * line). On a host, all ids are mapped and the preferred range is used; in a user namespace (rootless
 * containers map 65536 ids) the upper half of the largest mapping, below the 65534 "nogroup".
 */
export function groupRange(gidMap: string): GroupRange {
  const extents = gidMap
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter((e) => e.length === 3 && e.every(Number.isFinite))
    .map(([inside, , count]) => ({ base: inside, count }));
  const covers = (e: GroupRange) =>
    e.base <= preferred.base && e.base + e.count >= preferred.base + preferred.count;
  if (extents.length === 0 || extents.some(covers)) return preferred;
  const largest = extents.reduce((a, b) => (b.count > a.count ? b : a));
  const base = largest.base + Math.floor(largest.count / 2);
  const end = Math.min(largest.base + largest.count, base >= 65534 ? Number.MAX_SAFE_INTEGER : 65534);
  if (end - base < 16)
    throw new Error(`this user namespace maps too few group ids for attempts: ${gidMap.trim()}`);
  return { base, count: end - base };
}

const inRange = (range: GroupRange, gid: number) => gid >= range.base && gid < range.base + range.count;

/**
 * The agent CLI's box. A root worker runs every agent as the unprivileged agent user, and each attempt with
 * a group of its own: the attempt's workspace root is `root:<gid>` 0710, so only that attempt's agent can
 * enter it, and two agents with different groups cannot read each other's /proc entries (the kernel's
 * ptrace access check compares groups too). A non-root worker cannot switch users: its agents run as the
 * worker user, without that isolation (docs/security.md says how to get it).
 */
export class AgentSandbox {
  private constructor(
    /** The agent user with its own group (for what it runs outside an attempt: the capability check). */
    readonly user: AgentIdentity | undefined,
    readonly groups: GroupRange = preferred,
  ) {}

  /** Worker start: the agent user exists (created if missing) and can reach the workspace dir. */
  static async open(opts: SandboxOptions): Promise<AgentSandbox> {
    const workspaceDir = resolve(opts.workspaceDir);
    if (process.getuid?.() !== 0) {
      opts.log(
        'warn',
        'the worker does not run as root: agent CLIs run as the worker user, not isolated from the worker or from each other (see docs/security.md)',
      );
      await mkdir(workspaceDir, { recursive: true });
      return new AgentSandbox(undefined);
    }
    const user = await ensureUser(opts.user, opts.log);
    const groups = groupRange(await readFile('/proc/self/gid_map', 'utf8').catch(() => ''));
    await openWorkspaceDir(workspaceDir);
    await shutUnboxedWorkspaces(workspaceDir, groups);
    await mkdir(LOCKS_DIR, { recursive: true, mode: 0o700 });
    return new AgentSandbox(user, groups);
  }

  /**
   * End of prepare: take a group for the attempt and set who may do what in its workspace. The agent owns
   * `repo`, `home` and `tmp`; it may read `skills_active`, the operator inbox and the worker's `git`
   * directory but not change them; `artifacts` (what gets uploaded) is the worker's alone.
   */
  async enclose(paths: WorkspacePaths): Promise<void> {
    await writeFile(paths.operatorInbox, '', { flag: 'a' });
    await chmod(paths.artifacts, 0o700);
    if (!this.user) return;
    const gid = await this.lockGroup(paths.root);
    // -h: change symlinks themselves; following them would let a repository's link to /etc/shadow
    // hand that file to the agent.
    await run('chown', ['-R', '-h', `${this.user.uid}:${gid}`, '--', paths.repo, paths.home, paths.tmp]);
    const readOnly = [paths.skillsActive, paths.operatorInbox];
    if (await stat(paths.gitDir).catch(() => null)) readOnly.push(paths.gitDir);
    await run('chown', ['-R', '-h', `0:${gid}`, '--', ...readOnly]);
    await run('chmod', ['-R', 'u+rwX,g+rX,g-w,o-rwx', '--', ...readOnly]);
    await chown(paths.artifacts, 0, 0);
    // The job's directory only lets the agent pass; the attempt root admits its group last, once all
    // inside is in place.
    await chmod(dirname(paths.root), 0o711);
    await chown(paths.root, 0, gid);
    await chmod(paths.root, 0o710);
  }

  /** Who a step's agent runs as; none when the worker is not root (then it runs as the worker). */
  async identity(root: string): Promise<AgentIdentity | undefined> {
    if (!this.user) return undefined;
    const { gid } = await stat(root);
    if (!inRange(this.groups, gid))
      throw new Error(`workspace ${root} is not prepared for an agent (group ${gid})`);
    return { uid: this.user.uid, gid };
  }

  /**
   * The attempt is over (or its prepare starts again): shut the workspace to every agent, then give its
   * group back. Closing first matters: the next attempt to get this group must not find a way in here.
   */
  async release(root: string): Promise<void> {
    if (!this.user) return;
    const st = await stat(root).catch(() => null);
    if (!st || !inRange(this.groups, st.gid)) return;
    await closeWorkspace(root);
    const lock = join(LOCKS_DIR, String(st.gid));
    const held = await readlink(lock).catch(() => null);
    if (held && lockRoot(held) === root) await unlink(lock).catch(() => {});
  }

  /**
   * Kill what is left of a dead worker's agent in this workspace: the processes running as the agent user in
   * the attempt's group (a kill -9'd worker leaves its agent's process group running). Returns how many.
   */
  async killLeftovers(root: string): Promise<number> {
    if (!this.user) return 0;
    const st = await stat(root).catch(() => null);
    if (!st || !inRange(this.groups, st.gid)) return 0;
    let killed = 0;
    for (const pid of await readdir('/proc').catch(() => [] as string[])) {
      if (!/^\d+$/.test(pid)) continue;
      const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
      const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
      const gid = /^Gid:\s+(\d+)/m.exec(status)?.[1];
      if (Number(uid) !== this.user.uid || Number(gid) !== st.gid) continue;
      try {
        process.kill(Number(pid), 'SIGKILL');
        killed += 1;
      } catch {
        // gone meanwhile
      }
    }
    return killed;
  }

  /** Whether a live worker (this one or another on the host) still holds the attempt's group. */
  async heldByLiveWorker(root: string): Promise<boolean> {
    const st = await stat(root).catch(() => null);
    if (!st || !inRange(this.groups, st.gid)) return false;
    const held = await readlink(join(LOCKS_DIR, String(st.gid))).catch(() => null);
    return !!held && lockRoot(held) === root && processAlive(Number.parseInt(held, 10));
  }

  /** A free group from the range, held by a symlink whose target names this process and the workspace. */
  private async lockGroup(root: string): Promise<number> {
    const { base, count } = this.groups;
    const start = randomInt(count);
    for (let i = 0; i < Math.min(count, 1_000); i++) {
      const gid = base + ((start + i) % count);
      if (await takeGroup(gid, root)) return gid;
    }
    throw new Error(`no free agent group id in ${LOCKS_DIR} after 1000 tries`);
  }
}

const lockRoot = (held: string) => held.slice(held.indexOf(' ') + 1);

/**
 * Take group `gid` for the workspace `root`, if it is free or its holder died. symlink() either creates
 * the lock with its content or fails: no half-written lock is ever seen.
 */
export async function takeGroup(gid: number, root: string): Promise<boolean> {
  const value = `${process.pid} ${root}`;
  const lock = join(LOCKS_DIR, String(gid));
  try {
    await symlink(value, lock);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const held = await readlink(lock).catch(() => null);
  if (!held || processAlive(Number.parseInt(held, 10))) return false;
  // Its worker died without releasing it. Moving the lock aside first means only one of several
  // reclaiming workers wins.
  const aside = `${lock}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  const moved = await rename(lock, aside).then(
    () => readlink(aside),
    () => null,
  );
  await unlink(aside).catch(() => {});
  if (moved !== held) {
    // Another worker had retaken it in between: put its lock back.
    if (moved) await symlink(moved, lock).catch(() => {});
    return false;
  }
  // The dead worker's workspace still admits this group: shut it before the group is handed out again.
  const staleRoot = lockRoot(held);
  if ((await stat(staleRoot).catch(() => null))?.gid === gid) await closeWorkspace(staleRoot);
  return symlink(value, lock).then(
    () => true,
    () => false,
  );
}

async function closeWorkspace(root: string) {
  await chown(root, 0, 0);
  await chmod(root, 0o700);
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The agent user's uid and group; the user is created (system user, no home, no shell) when missing. */
async function ensureUser(user: string, log: SandboxOptions['log']): Promise<AgentIdentity> {
  const id = (flag: string) =>
    run('id', [flag, user]).then(
      (r) => Number(r.stdout.trim()),
      () => null,
    );
  const lookup = () => id('-u');
  let uid = await lookup();
  if (uid === null) {
    const made = await run('useradd', [
      '--system',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      user,
    ]).then(
      () => null,
      (err: Error & { stderr?: string }) => (err.stderr || err.message).trim(),
    );
    // Another worker starting at the same moment may have created it first.
    uid = await lookup();
    if (uid === null)
      throw new Error(
        `agent user ${user} (MOONMIND_AGENT_USER) does not exist and could not be created: ${made}; create it with \`useradd --system --no-create-home --shell /usr/sbin/nologin ${user}\``,
      );
    log('info', `created the agent user ${user} (uid ${uid})`);
  }
  const gid = await id('-g');
  if (uid === 0 || gid === null || gid === 0)
    throw new Error(
      `agent user ${user} (MOONMIND_AGENT_USER) is root or in root's group; name an unprivileged user`,
    );
  return { uid, gid };
}

/**
 * Attempt workspaces that belong to no attempt group (left by a version without the box, or readable by
 * mistake) are made private: the workspace dir lets agents pass, so a readable one would be open to all.
 */
async function shutUnboxedWorkspaces(workspaceDir: string, groups: GroupRange) {
  const dirs = async (d: string) =>
    (await readdir(d, { withFileTypes: true }).catch(() => []))
      .filter((e) => e.isDirectory())
      .map((e) => join(d, e.name));
  for (const job of await dirs(workspaceDir))
    for (const root of await dirs(job)) {
      const st = await stat(root);
      if (!inRange(groups, st.gid) && st.mode & 0o077) await chmod(root, st.mode & 0o700);
    }
}

/**
 * The workspace dir is 0711 (agents may pass, not list), and so is every directory the worker creates on
 * the way to it; every existing ancestor must let others pass, or no agent could reach its workspace.
 */
async function openWorkspaceDir(workspaceDir: string) {
  const missing: string[] = [];
  for (let dir = workspaceDir; !(await stat(dir).catch(() => null)); dir = dirname(dir)) missing.push(dir);
  await mkdir(workspaceDir, { recursive: true });
  for (const dir of missing) await chmod(dir, 0o711);
  await chmod(workspaceDir, 0o711);
  const { root } = parse(workspaceDir);
  for (let dir = dirname(workspaceDir); ; dir = dirname(dir)) {
    if (((await stat(dir)).mode & 0o001) === 0)
      throw new Error(
        `the agent user cannot reach the workspace dir ${workspaceDir}: ${dir} does not let others pass (chmod o+x ${dir}, or set MOONMIND_WORKSPACE_DIR elsewhere)`,
      );
    if (dir === root) break;
  }
}
