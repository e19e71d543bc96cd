import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, readlink, rm, stat, symlink, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentSandbox, groupRange, LOCKS_DIR, takeGroup } from '../../activities/runtimes/sandbox.ts';

const sandboxUser = () =>
  Number(spawnSync('id', ['-u', 'moonmind-agent'], { encoding: 'utf8' }).stdout.trim());

/** Attempt groups: a held group is never handed out twice; a dead worker's group is reclaimed, its workspace shut first. */
const root = process.getuid?.() === 0;
let dir: string;
// The top of the host's range, where random allocation almost never lands.
const hostRange = groupRange('0 0 4294967295');
const gid = hostRange.base + hostRange.count - 1 - randomInt(1_000);
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

describe('the attempt-group range', () => {
  it('is the high preferred range on a host, and inside the mapping in a user namespace', () => {
    expect(hostRange).toEqual({ base: 1_500_000_000, count: 1_000_000 });
    // Rootless podman: root is the user, then 65536 subordinate ids.
    expect(groupRange('0 1000 1\n1 100000 65536\n')).toEqual({ base: 32769, count: 65534 - 32769 });
    // A userns-remap'd container: 0..65535 mapped.
    expect(groupRange('0 231072 65536')).toEqual({ base: 32768, count: 65534 - 32768 });
    expect(() => groupRange('0 1000 1')).toThrow(/too few group ids/);
  });
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

describe.runIf(root)('a worker that is not root', () => {
  it('warns that agents run as the worker user, and runs them so (no identity to switch to)', async () => {
    const box = join(dir, 'nonroot');
    await mkdir(box);
    await chown(box, sandboxUser(), -1);
    const script = `
      const { AgentSandbox } = await import('./activities/runtimes/sandbox.ts');
      const warnings = [];
      const s = await AgentSandbox.open({ user: 'moonmind-agent', workspaceDir: '${join(box, 'ws')}', log: (l, m) => warnings.push(l + ': ' + m) });
      console.log(JSON.stringify({ warnings, user: s.user ?? null, identity: (await s.identity('${join(box, 'ws')}')) ?? null }));`;
    // The worker as an ordinary user: the agent user itself serves as one here.
    const out = spawnSync(
      'setpriv',
      [
        '--reuid=moonmind-agent',
        '--regid=moonmind-agent',
        '--clear-groups',
        process.execPath,
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        script,
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: box } },
    );
    expect(out.status, out.stderr).toBe(0);
    const seen = JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '{}');
    expect(seen).toEqual({
      warnings: [
        expect.stringMatching(/^warn: the worker does not run as root: agent CLIs run as the worker user/),
      ],
      user: null,
      identity: null,
    });
  });
});
