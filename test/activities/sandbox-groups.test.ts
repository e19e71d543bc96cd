import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, readlink, rm, stat, symlink, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AgentSandbox,
  GID_BASE,
  GID_COUNT,
  LOCKS_DIR,
  takeGroup,
} from '../../activities/runtimes/sandbox.ts';

/** Attempt groups: a held group is never handed out twice; a dead worker's group is reclaimed, its workspace shut first. */
const root = process.getuid?.() === 0;
let dir: string;
// The top of the range, where random allocation almost never lands.
const gid = GID_BASE + GID_COUNT - 1 - randomInt(1_000);
const lock = join(LOCKS_DIR, String(gid));

beforeAll(async () => {
  if (!root) return;
  dir = await mkdtemp(join(tmpdir(), 'mm-groups-'));
  await AgentSandbox.open({ user: 'moonmind-agent', workspaceDir: dir, log: () => {} });
});
afterAll(async () => {
  if (!root) return;
  await unlink(lock).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

describe.runIf(root)('attempt groups', () => {
  it('at start, a workspace outside any attempt group (an earlier version left it readable) is made private', async () => {
    const legacy = join(dir, 'old-job', 'attempt-1');
    await mkdir(join(legacy, 'repo'), { recursive: true });
    await chmod(join(dir, 'old-job'), 0o755);
    await chmod(legacy, 0o755);
    await AgentSandbox.open({ user: 'moonmind-agent', workspaceDir: dir, log: () => {} });
    expect((await stat(legacy)).mode & 0o777).toBe(0o700);
  });

  it('a group held by a live worker is not taken', async () => {
    expect(await takeGroup(gid, join(dir, 'a'))).toBe(true);
    expect(await takeGroup(gid, join(dir, 'b'))).toBe(false);
    expect(await readlink(lock)).toBe(`${process.pid} ${join(dir, 'a')}`);
    await unlink(lock);
  });

  it("a dead worker's group is reclaimed, and its workspace shut before the group is reused", async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid;
    const stale = join(dir, 'job', 'attempt-1');
    await mkdir(stale, { recursive: true });
    await chown(stale, 0, gid);
    await chmod(stale, 0o710);
    await symlink(`${dead} ${stale}`, lock);
    expect(await takeGroup(gid, join(dir, 'next'))).toBe(true);
    expect(await readlink(lock)).toBe(`${process.pid} ${join(dir, 'next')}`);
    const st = await stat(stale);
    expect({ uid: st.uid, gid: st.gid, mode: st.mode & 0o777 }).toEqual({ uid: 0, gid: 0, mode: 0o700 });
  });
});
