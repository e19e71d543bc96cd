import { execFileSync } from 'node:child_process';
import { mkdir, readdir, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepWorkspaces } from '../../activities/task/workspace-retention.ts';
import { type Fixture, makeBareRepo, prepareInput, run, startFixture, taskPayload } from './task-fixture.ts';

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
  await makeBareRepo(fx.gitBase, 'acme/widgets');
});
afterAll(() => fx?.close());

const workspaceDir = () => fx.deps.config.MOONMIND_WORKSPACE_DIR;
const attemptDirs = async () => {
  const found: string[] = [];
  for (const job of await readdir(workspaceDir()).catch(() => []))
    for (const a of await readdir(join(workspaceDir(), job)).catch(() => []))
      found.push(join(workspaceDir(), job, a));
  return found;
};
const diskKiB = () =>
  Number(execFileSync('du', ['-sk', workspaceDir()], { encoding: 'utf8' }).split('\t')[0]);

/** One attempt on the real activities: prepare (a real clone), collect, release with its outcome. */
async function attempt(outcome: 'succeeded' | 'failed') {
  const input = prepareInput(taskPayload({ instructions: 'x', publish: { mode: 'none' } }));
  const prepared = await run(fx.activities.prepare, input);
  const workspace = prepared.workspace;
  await run(fx.activities.finishExecute, { jobId: input.jobId, attempt: 1, workspace, outcome });
  await run(fx.activities.releaseHost, { jobId: input.jobId, workspace, outcome });
  return workspace;
}

describe('workspaces are removed when their attempt ends, kept for a while when it failed', () => {
  it('200 attempts: succeeded ones leave nothing, failed ones stay until the retention sweep; disk stays bounded', async () => {
    const failed: string[] = [];
    const sizes: number[] = [];
    // Two at a time: the fixture's worker has two run slots.
    for (let i = 1; i <= 200; i += 2) {
      const outcomes = [i, i + 1].map((n): 'failed' | 'succeeded' => (n % 10 === 0 ? 'failed' : 'succeeded'));
      const workspaces = await Promise.all(outcomes.map((o) => attempt(o)));
      for (const [k, o] of outcomes.entries()) if (o === 'failed') failed.push(workspaces[k]);
      if ((i + 1) % 50 === 0) sizes.push(diskKiB());
    }
    expect((await attemptDirs()).sort()).toEqual([...failed].sort());
    // Bounded: what is left is the 20 kept failures, not 200 clones; it grows only with them.
    expect(sizes[3]).toBeLessThan(sizes[0] * 5);
    // Kept workspaces are closed to agents.
    expect((await stat(failed[0])).mode & 0o777).toBe(0o700);

    // Not past retention yet: the sweep keeps them; past it, it removes them.
    expect(await sweepWorkspaces(workspaceDir(), 3_600_000, () => false)).toEqual([]);
    const removed = await sweepWorkspaces(workspaceDir(), 0, () => false);
    expect(removed.sort()).toEqual([...failed].sort());
    expect(await readdir(workspaceDir())).toEqual([]);
  }, 600_000);

  it('the sweep removes old leftovers of attempts that never released, never one still in use', async () => {
    const leftover = join(workspaceDir(), 'a1b2c3d4-0000-4000-8000-000000000001', 'attempt-1');
    const live = join(workspaceDir(), 'a1b2c3d4-0000-4000-8000-000000000002', 'attempt-1');
    const fresh = join(workspaceDir(), 'a1b2c3d4-0000-4000-8000-000000000003', 'attempt-1');
    for (const dir of [leftover, live, fresh]) await mkdir(join(dir, 'repo'), { recursive: true });
    const dayAgo = new Date(Date.now() - 25 * 3_600_000);
    for (const dir of [leftover, live]) await utimes(dir, dayAgo, dayAgo);
    const removed = await sweepWorkspaces(workspaceDir(), 24 * 3_600_000, (root) => root === live);
    expect(removed).toEqual([leftover]);
    expect((await attemptDirs()).sort()).toEqual([live, fresh].sort());
  });
});
