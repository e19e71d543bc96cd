import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildInvocation } from '../../activities/runtimes/adapters.ts';
import { seedRuntimeHome } from '../../activities/runtimes/home.ts';
import { writeRunConfig } from '../../activities/runtimes/run-config.ts';
import { type AgentCli, agentCliPath } from '../../scripts/agent-clis.ts';
import type { Conversation, ModelServer, ModelServerOptions } from '../fakes/model-servers/scripted-model.ts';

/** Running a real agent CLI in isolation: its own home, temp dir and git repo, the prompt on stdin. */

const run = promisify(execFile);

/** The CLI to test; null means skip, which only a developer without the CLIs gets (CI installs them). */
export function cliUnderTest(runtime: AgentCli): string | null {
  const found = agentCliPath(runtime);
  if (!found && process.env.CI)
    throw new Error(`${runtime} CLI is not installed under .tools/agent-clis: run npm run agent-clis`);
  return found;
}

export interface Sandbox {
  repo: string;
  home: string;
  /** HOME, TMPDIR and PATH only: no credentials or config of the machine leak in. */
  env: Record<string, string>;
  remove(): Promise<void>;
}

/** A temp git repo with one commit, and a fresh home and temp dir beside it. */
export async function sandbox(files: Record<string, string> = { 'README.md': '# demo\n' }): Promise<Sandbox> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'mm-cli-'));
  const repo = path.join(root, 'repo');
  const home = path.join(root, 'home');
  const tmp = path.join(root, 'tmp');
  for (const dir of [repo, home, tmp]) await mkdir(dir);
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(repo, name), content);
  const git = (...args: string[]) =>
    run('git', ['-c', 'user.name=fixture', '-c', 'user.email=fixture@example.com', ...args], { cwd: repo });
  await git('init', '-q', '-b', 'main');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'initial commit');
  return {
    repo,
    home,
    env: { HOME: home, TMPDIR: tmp, PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** One wire test's setup: the server's options, plus a SIGINT while the model answers, or a closed port. */
export interface WireCase extends ModelServerOptions {
  interrupt?: boolean;
  refused?: boolean;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** From the interrupt to the exit, when interrupted. */
  afterInterruptMs: number | null;
}

/**
 * Spawn in its own process group with the prompt written to stdin and stdin closed (a long prompt never goes
 * through argv). Aborting `interrupt` sends SIGINT to the group, as a cancel does.
 */
export function runCli(
  command: string,
  args: string[],
  opts: {
    cwd: string;
    env: Record<string, string>;
    prompt: string;
    timeoutMs?: number;
    interrupt?: AbortSignal;
  },
): Promise<CliRun> {
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone already
    }
  };
  let interruptedAt: number | null = null;
  opts.interrupt?.addEventListener(
    'abort',
    () => {
      interruptedAt = performance.now();
      signalGroup('SIGINT');
    },
    { once: true },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  child.stdin.on('error', () => {}); // a CLI that exits before reading all of stdin is reported by its exit code
  child.stdin.end(opts.prompt);
  const timer = setTimeout(() => signalGroup('SIGKILL'), opts.timeoutMs ?? 45_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const now = performance.now();
      resolve({
        code,
        signal,
        stdout,
        stderr,
        ms: Math.round(now - started),
        afterInterruptMs: interruptedAt === null ? null : Math.round(now - interruptedAt),
      });
    });
  });
}

/** One line per run in the test output: the times and exit codes the runtime notes quote. */
export function logRun(name: string, wire: WireCase, run: CliRun): void {
  const setup = [
    name,
    wire.fail && `fail ${wire.fail}`,
    wire.refused && 'refused',
    wire.interrupt && 'interrupted',
  ];
  const after = run.afterInterruptMs === null ? '' : ` (${run.afterInterruptMs} ms after SIGINT)`;
  console.log(`${setup.filter(Boolean).join(' ')}: exit ${run.code ?? run.signal} in ${run.ms} ms${after}`);
}

/** Aborts once the server holds a model-turn request: the CLI is then waiting for the (delayed) answer. */
export function whenWaitingForModel(server: ModelServer): AbortSignal {
  const controller = new AbortController();
  const poll = setInterval(() => {
    if (!server.requests.some((r) => r.turn !== null)) return;
    clearInterval(poll);
    controller.abort();
  }, 20);
  poll.unref();
  return controller.signal;
}

/** A prompt of exactly `length` UTF-16 units mixing ASCII, 2-, 3- and 4-byte UTF-8 characters. */
export function bigPrompt(length = 100_000): string {
  const head = 'Reply with done. Filler follows: ';
  const unit = 'añ€😀 z';
  let body = '';
  while (head.length + body.length + unit.length <= length) body += unit;
  return (head + body).padEnd(length, '.');
}

/**
 * One run of a real CLI with the product's own command line (adapters.ts), per-run home and config
 * (home.ts, run-config.ts), pointed at a scripted model server as MOONMIND_<RUNTIME>_BASE_URL would, with no
 * retries: what a worker would start, minus the stack around it.
 */
export async function runAsTheWorkerWould(opts: {
  runtime: AgentCli;
  cli: string;
  startServer: (conversation: Conversation, options: ModelServerOptions) => Promise<ModelServer>;
  conversation: Conversation;
  model: string;
  prompt: string;
  wire?: WireCase;
}): Promise<{ result: CliRun; box: Sandbox; server: ModelServer }> {
  const wire = opts.wire ?? {};
  const server = await opts.startServer(opts.conversation, wire);
  if (wire.refused) await server.close(); // nothing listens on its port any more
  const box = await sandbox({ 'README.md': '# demo readme\n' });
  // Codex takes an OpenAI-style base URL with its /v1; the others the server's root.
  const baseUrl = opts.runtime === 'codex' ? `${server.url}/v1` : server.url;
  await seedRuntimeHome(opts.runtime, {}, box.home, { login: false });
  await writeRunConfig(opts.runtime, box.home, { retries: 0, endpoint: { baseUrl } });
  const invocation = buildInvocation({
    runtime: opts.runtime,
    command: opts.cli,
    prompt: opts.prompt,
    repoDir: box.repo,
    homeDir: box.home,
    tmpDir: box.env.TMPDIR,
    model: opts.model,
    effort: 'low',
    baseEnv: box.env,
    baseUrl,
    apiKey: `${opts.runtime}-double-key`,
    retries: 0,
  });
  const result = await runCli(invocation.file, invocation.args, {
    cwd: box.repo,
    env: invocation.env,
    prompt: invocation.stdin,
    interrupt: wire.interrupt ? whenWaitingForModel(server) : undefined,
  });
  logRun(`${opts.runtime} ${opts.model}`, wire, result);
  return { result, box, server };
}
