import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { commonEnv } from '../../runtimes/adapters.ts';
import { signalGroup } from '../../runtimes/process-group.ts';
import { groupRunning } from './group.ts';
import type { CommandOutcome, RunnerContext } from './runner.ts';

/**
 * What a service's commands (build, start, checks, docker) see of the worker's environment: the same
 * allow-list as an agent CLI (PATH, locale; MOONMIND_AGENT_ENV's extra names), plus HOME and, for the
 * docker CLI, its own settings. Never the worker's MOONMIND_*, TEMPORAL_*, DATABASE_URL or forge tokens:
 * the build runs code the agent may have edited.
 */
const serviceNames = ['HOME', 'USER'];
const dockerNames = [
  'DOCKER_HOST',
  'DOCKER_CONTEXT',
  'DOCKER_CONFIG',
  'DOCKER_CERT_PATH',
  'DOCKER_TLS_VERIFY',
];

export function serviceEnv(
  baseEnv: NodeJS.ProcessEnv,
  passEnv: readonly string[] = [],
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...commonEnv, ...serviceNames, ...dockerNames, ...passEnv]) {
    const value = baseEnv[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

export interface CommandSpec {
  file: string;
  args: string[];
  env: Record<string, string>;
  timeoutMs: number;
  /** Each output line; default ctx.log. */
  onLine?: (line: string) => void;
}

/** Between SIGTERM to the group and SIGKILL. */
export const killGraceMs = 3_000;

/**
 * Run one command in the service's root, in its own process group, each output line streamed as it comes.
 * Cancellation (ctx.signal) and the timeout stop the whole group (SIGTERM, then SIGKILL after a grace), and
 * whatever the command left running in its group is killed when it ends, so nothing outlives the step.
 */
export function runCommand(ctx: RunnerContext, spec: CommandSpec): Promise<CommandOutcome> {
  const started = Date.now();
  const onLine = spec.onLine ?? ctx.log;
  return new Promise((resolve) => {
    if (ctx.signal.aborted) {
      resolve({ ok: false, exitCode: null, durationMs: 0, detail: 'cancelled' });
      return;
    }
    const child = spawn(spec.file, spec.args, {
      cwd: ctx.root,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const pgid = child.pid;
    let ended: 'cancelled' | 'timeout' | null = null;
    const stop = (why: 'cancelled' | 'timeout') => {
      if (ended || !pgid) return;
      ended = why;
      signalGroup(pgid, 'SIGTERM');
      setTimeout(() => signalGroup(pgid, 'SIGKILL'), killGraceMs).unref();
    };
    const onAbort = () => stop('cancelled');
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => stop('timeout'), spec.timeoutMs);
    const readers = (['stdout', 'stderr'] as const).map((stream) => {
      const rl = createInterface({ input: child[stream], crlfDelay: Number.POSITIVE_INFINITY });
      rl.on('line', onLine);
      return new Promise<void>((r) => rl.once('close', r));
    });
    let finished = false;
    const finish = async (exitCode: number | null, error?: Error) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      if (pgid) {
        // A stopped group gets its grace to exit on its own; leftovers of a finished one go at once.
        if (ended) await waitGroupGone(pgid, killGraceMs);
        signalGroup(pgid, 'SIGKILL');
      }
      await Promise.race([Promise.all(readers), new Promise((r) => setTimeout(r, 2_000).unref())]);
      const durationMs = Date.now() - started;
      const took = formatDuration(durationMs);
      const detail = error
        ? `cannot run ${spec.file}: ${error.message}`
        : ended === 'cancelled'
          ? 'cancelled'
          : ended === 'timeout'
            ? `timed out after ${formatDuration(spec.timeoutMs)}`
            : `exit ${exitCode} in ${took}`;
      resolve({
        ok: !error && !ended && exitCode === 0,
        exitCode: ended ? null : exitCode,
        durationMs,
        detail,
      });
    };
    child.once('error', (err) => void finish(null, err));
    child.once('exit', (code) => void finish(code));
  });
}

/** A profile command (`sh -c`) in the service's root. */
export function runShell(
  ctx: RunnerContext,
  command: { command: string; timeoutSeconds: number },
  env: Record<string, string>,
  onLine?: (line: string) => void,
): Promise<CommandOutcome> {
  return runCommand(ctx, {
    file: 'sh',
    args: ['-c', command.command],
    env,
    timeoutMs: command.timeoutSeconds * 1000,
    onLine,
  });
}

async function waitGroupGone(pgid: number, graceMs: number) {
  const until = Date.now() + graceMs;
  while (groupRunning(pgid) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
}

/** "310 ms", "1.2 s", "600 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`;
}
