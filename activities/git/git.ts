import { execFile } from 'node:child_process';
import { redact } from '../../contracts/secrets.ts';

/**
 * Git as a subprocess. Credentials come only from the worker's environment and travel as a transient
 * `http.extraHeader` passed through GIT_CONFIG_* variables: never in argv (visible in `ps`), never in
 * `.git/config`, never in a log line.
 */
export interface GitOptions {
  cwd: string;
  /** Forge token for https remotes; omitted for file:// and ssh remotes. */
  token?: string | null;
  /** Appended to the prepare/publish log (already redacted). */
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export class GitError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(message);
  }
}

const identity = ['-c', 'user.name=MoonMind', '-c', 'user.email=moonmind@localhost'];

export function authEnv(token: string | null | undefined): Record<string, string> {
  if (!token) return {};
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraHeader',
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
  };
}

export function git(args: string[], opts: GitOptions): Promise<string> {
  opts.log?.(`$ git ${redact(args.join(' '))}`);
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...identity, ...args],
      {
        cwd: opts.cwd,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', ...authEnv(opts.token) },
        maxBuffer: 256 * 1024 * 1024,
        signal: opts.signal,
      },
      (err, stdout, stderr) => {
        const errText = redact(String(stderr).trim());
        if (errText) for (const l of errText.split('\n')) opts.log?.(l);
        if (err) {
          const code =
            typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null;
          reject(new GitError(`git ${args[0]} failed: ${errText || err.message}`, code, errText));
        } else resolve(String(stdout));
      },
    );
  });
}

/** `owner/repo` → `<base>/owner/repo.git`; URLs and `git@host:path` are used as given. */
export function cloneUrl(repository: string, gitBaseUrl: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repository) || repository.startsWith('git@')) return repository;
  return `${gitBaseUrl.replace(/\/+$/, '')}/${repository}.git`;
}

/** The remote's default branch, as its HEAD symref says. */
export async function remoteDefaultBranch(opts: GitOptions): Promise<string> {
  const out = await git(['ls-remote', '--symref', 'origin', 'HEAD'], opts);
  const m = /^ref: refs\/heads\/(\S+)\s+HEAD/m.exec(out);
  if (!m) throw new GitError('the remote does not advertise a default branch (empty repository?)', null, out);
  return m[1];
}

export async function remoteBranchExists(branch: string, opts: GitOptions): Promise<boolean> {
  const out = await git(['ls-remote', '--heads', 'origin', `refs/heads/${branch}`], opts);
  return out.trim().length > 0;
}

export const headCommit = (opts: GitOptions) => git(['rev-parse', 'HEAD'], opts).then((s) => s.trim());
