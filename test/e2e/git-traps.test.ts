import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plantGitTraps } from '../fakes/git-traps.mjs';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { submitJob, waitForStatus } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

const run = promisify(execFile);
const markerDir = async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mm-traps-'));
  await chmod(dir, 0o777);
  return dir;
};
const forgeToken = `forge-token-${Math.random().toString(36).slice(2)}`;

describe('git never runs repository-controlled code with a credential (real git, Temporal, PostgreSQL)', () => {
  let stack: Stack;
  let remote: GitRemote;
  beforeAll(async () => {
    remote = await createGitRemote(['acme/traps']);
    stack = await startStack({
      workers: [
        {
          pool: 'traps',
          capabilities: ['codex', 'git'],
          env: { MOONMIND_GIT_BASE_URL: remote.baseUrl, MOONMIND_GIT_TOKEN: forgeToken },
        },
      ],
    });
  });
  afterAll(() => stack?.stop());

  it('the planted traps do fire under plain git (so the next test can fail)', async () => {
    const markers = await markerDir();
    const clone = await mkdtemp(path.join(os.tmpdir(), 'mm-trap-clone-'));
    await run('git', ['clone', '-q', remote.bareRepo('acme/traps'), clone]);
    plantGitTraps(clone, markers);
    const git = (...args: string[]) =>
      run('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
        cwd: clone,
        env: { ...process.env, MOONMIND_GIT_TOKEN: forgeToken },
      });
    await git('add', '--all');
    await git('commit', '-q', '-m', 'plain git');
    await git('push', '-q', 'origin', 'HEAD:refs/heads/plain-git');
    const fired = await readdir(markers);
    expect(fired).toEqual(
      expect.arrayContaining([
        'hook-pre-commit',
        'hook-post-commit',
        'hook-pre-push',
        'clean-filter',
        'fsmonitor',
      ]),
    );
  });

  it('publishes the agent’s work from a worker-owned git directory: no trap runs, the pushed commit is right', async () => {
    const markers = await markerDir();
    const job = await submitJob(stack, {
      repository: 'acme/traps',
      task: { instructions: `Leave traps FAKE_GIT_TRAPS=${markers}`, publish: { mode: 'branch' } },
    });
    const done = await waitForStatus(stack, job.id, ['succeeded', 'failed', 'dead_letter']);
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(await readdir(markers)).toEqual([]);

    const bare = remote.bareRepo('acme/traps');
    const tree = (
      await run('git', ['ls-tree', '-r', '--name-only', done.branch!], { cwd: bare })
    ).stdout.split('\n');
    expect(tree.filter(Boolean).sort()).toEqual(['.gitattributes', 'AGENT_NOTES.md', 'README.md']);
    expect(await remote.branchFile('acme/traps', done.branch!, 'AGENT_NOTES.md')).toBe('- STEP 1/1 step-1');
    expect(await remote.branchFile('acme/traps', done.branch!, '.gitattributes')).toBe(
      '* filter=trap diff=trap',
    );
  });
});
