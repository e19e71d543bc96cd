import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The installed command: bin/moonmind.mjs, spawned as a user's shell would (from any directory). */
export const binPath = fileURLToPath(new URL('../../bin/moonmind.mjs', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  stdin?: string;
}

/** The CLI's environment: the caller's minus any ambient MoonMind settings, plus `env`. */
function cliEnv(env: CliOptions['env'] = {}): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const k of ['MOONMIND_URL', 'MOONMIND_TOKEN', 'MOONMIND_CONFIG', 'DATABASE_URL']) delete base[k];
  return { ...base, ...env };
}

/** Start the CLI as a child process (to read its output as it runs). */
export function startCli(
  args: string[],
  opts: CliOptions = {},
): ChildProcess & { result: Promise<CliResult> } {
  const child = spawn(process.execPath, [binPath, ...args], {
    cwd: opts.cwd,
    env: cliEnv(opts.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  child.stdin.end(opts.stdin ?? '');
  const result = new Promise<CliResult>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return Object.assign(child, { result });
}

export const runCli = (args: string[], opts: CliOptions = {}) => startCli(args, opts).result;
