import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const git = (cwd: string, ...args: string[]) =>
  run('git', ['-c', 'user.name=fixture', '-c', 'user.email=fixture@example.com', ...args], { cwd }).then(
    (r) => r.stdout.trim(),
  );

export interface GitRemote {
  /** MOONMIND_GIT_BASE_URL for workers: `owner/repo` resolves to `<baseUrl>/owner/repo.git`. */
  baseUrl: string;
  root: string;
  bareRepo(repository: string): string;
  /** Files of `branch` in the bare repo, or null when the branch does not exist. */
  branchFile(repository: string, branch: string, file: string): Promise<string | null>;
  branches(repository: string): Promise<string[]>;
  log(repository: string, branch: string): Promise<string[]>;
}

/** Real bare repositories served over file:// as `owner/repo`, seeded with one commit on `main`. */
export async function createGitRemote(
  repositories: string[],
  files: Record<string, string> = { 'README.md': '# demo\n' },
): Promise<GitRemote> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'mm-git-'));
  const bareRepo = (repository: string) => path.join(root, `${repository}.git`);
  for (const repository of repositories) {
    const seed = await mkdtemp(path.join(os.tmpdir(), 'mm-seed-'));
    await git(seed, 'init', '-q', '-b', 'main');
    for (const [name, content] of Object.entries(files)) await writeFile(path.join(seed, name), content);
    await git(seed, 'add', '-A');
    await git(seed, 'commit', '-q', '-m', 'initial commit');
    await mkdir(path.dirname(bareRepo(repository)), { recursive: true });
    await run('git', ['clone', '-q', '--bare', seed, bareRepo(repository)]);
  }
  return {
    baseUrl: `file://${root}`,
    root,
    bareRepo,
    async branchFile(repository, branch, file) {
      return git(bareRepo(repository), 'show', `${branch}:${file}`).catch(() => null);
    },
    async branches(repository) {
      const out = await git(bareRepo(repository), 'for-each-ref', '--format=%(refname:short)', 'refs/heads');
      return out ? out.split('\n') : [];
    },
    async log(repository, branch) {
      const out = await git(bareRepo(repository), 'log', '--format=%s', branch);
      return out ? out.split('\n') : [];
    },
  };
}
