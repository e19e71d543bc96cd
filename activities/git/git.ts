import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redact } from '../../contracts/secrets.ts';
import { traced } from '../../lib/tracing.ts';

/**
 * Git as a subprocess that never runs code the repository (or the agent that edited it) controls, and never
 * hands a credential to anything but the one network command that needs it:
 * - system and global config are ignored, hooks point at an empty directory the worker owns, fsmonitor,
 *   credential helpers, redirects and all transports but https/http/file are off, on every command;
 * - the worker's commands name their git directory explicitly (`gitDir`, the worker's own, see
 *   activities/task/workspace.ts), so no config, hook or filter the agent wrote under `repo/.git` is read;
 * - a credential travels as an `http.<url>.extraHeader` scoped to its own host, in the environment (never
 *   argv, never a config file, never a log line), and only when `auth` is given.
 */
export interface GitOptions {
  cwd: string;
  /** The git directory to use (`--git-dir`); with `workTree`, the worker's own view of the agent's checkout. */
  gitDir?: string;
  workTree?: string;
  /** The credential for the one host it belongs to; never given to local commands. */
  auth?: GitAuth | null;
  /** Appended to the prepare/publish log (already redacted). */
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface GitAuth {
  /** `https://host[:port]/`: the header is only sent to URLs under this prefix. */
  urlPrefix: string;
  token: string;
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

let noHooks: string | undefined;
/** An empty directory only the worker can write: `core.hooksPath` for every command. */
function emptyHooksDir(): string {
  noHooks ??= mkdtempSync(join(tmpdir(), 'moonmind-no-hooks-'));
  return noHooks;
}

/** Worker environment that git may see: the path, locale, proxies and CA bundles, nothing else. */
const passThrough = [
  'PATH',
  'LANG',
  'LC_ALL',
  'TZ',
  'HOME',
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'NO_PROXY',
  'no_proxy',
  'GIT_SSL_CAINFO',
  'GIT_SSL_CAPATH',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
];

function gitEnv(auth: GitAuth | null | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of passThrough) if (process.env[k]) env[k] = process.env[k]!;
  Object.assign(env, {
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ATTR_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
  });
  if (auth) {
    const basic = Buffer.from(`x-access-token:${auth.token}`).toString('base64');
    Object.assign(env, {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: `http.${auth.urlPrefix}.extraHeader`,
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
    });
  }
  return env;
}

function hardening(): string[] {
  return [
    ['core.hooksPath', emptyHooksDir()],
    ['core.fsmonitor', 'false'],
    ['credential.helper', ''],
    ['http.followRedirects', 'false'],
    ['protocol.allow', 'never'],
    ['protocol.https.allow', 'always'],
    ['protocol.http.allow', 'always'],
    ['protocol.file.allow', 'always'],
    // The agent's checkout belongs to the agent's user; the worker reads it on purpose.
    ['safe.directory', '*'],
    ['user.name', 'MoonMind'],
    ['user.email', 'moonmind@localhost'],
  ].flatMap(([k, v]) => ['-c', `${k}=${v}`]);
}

/** One git command, traced as `git <subcommand>` (only the subcommand: arguments can name remotes). */
export function git(args: string[], opts: GitOptions): Promise<string> {
  opts.log?.(`$ git ${redact(args.join(' '))}`);
  return traced(`git ${args[0]}`, { 'git.command': args[0], 'git.remote_auth': Boolean(opts.auth) }, () =>
    runGit(args, opts),
  );
}

function runGit(args: string[], opts: GitOptions): Promise<string> {
  const location = [
    ...(opts.gitDir ? [`--git-dir=${opts.gitDir}`] : []),
    ...(opts.workTree ? [`--work-tree=${opts.workTree}`] : []),
  ];
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...hardening(), ...location, ...args],
      { cwd: opts.cwd, env: gitEnv(opts.auth), maxBuffer: 256 * 1024 * 1024, signal: opts.signal },
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

export const headCommit = (opts: GitOptions) => git(['rev-parse', 'HEAD'], opts).then((s) => s.trim());
