import { spawn } from 'node:child_process';
import { mkdir, open, readFile, readlink, realpath, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { signalGroup } from '../../runtimes/process-group.ts';
import { formatDuration, killGraceMs, runShell } from './command.ts';
import { groupRunning } from './group.ts';
import type { CommandOutcome, RunnerContext, ServiceRunner, ServiceState } from './runner.ts';
import { tailLines } from './tail.ts';

/**
 * The `process` runner: a local service run from shell commands. `start` is the service's foreground
 * command; restart stops the group named by the pid file, then starts it detached in its own process group
 * (output appended to the log file) and writes its pid. What the tests use, and a stack without containers.
 */
export function processRunner(env: Record<string, string>): ServiceRunner {
  return {
    async build(ctx) {
      const build = ctx.profile.build;
      if (!build) return { ok: false, exitCode: null, durationMs: 0, detail: 'no build command' };
      return runShell(ctx, build, env);
    },

    async restart(ctx) {
      const started = Date.now();
      const stopped = await stopService(ctx, env);
      if (!stopped.ok) return stopped;
      const start = ctx.profile.start;
      if (!start) return { ok: false, exitCode: null, durationMs: 0, detail: 'no start command' };
      const logFile = logFileOf(ctx);
      await mkdir(path.dirname(logFile), { recursive: true });
      await mkdir(path.dirname(pidFileOf(ctx)), { recursive: true });
      const out = await open(logFile, 'a');
      try {
        const child = spawn('sh', ['-c', start.command], {
          cwd: ctx.root,
          env,
          stdio: ['ignore', out.fd, out.fd],
          detached: true,
        });
        const pid = await new Promise<number>((resolve, reject) => {
          child.once('spawn', () => resolve(child.pid!));
          child.once('error', reject);
        });
        child.unref();
        await writeFile(pidFileOf(ctx), `${pid}\n`);
        ctx.log(`started pid ${pid} (output in ${path.relative(ctx.root, logFile)})`);
        const durationMs = Date.now() - started;
        return {
          ok: true,
          exitCode: 0,
          durationMs,
          detail: `started pid ${pid} in ${formatDuration(durationMs)}`,
        };
      } catch (err) {
        ctx.log(`cannot start: ${(err as Error).message}`);
        return { ok: false, exitCode: null, durationMs: Date.now() - started, detail: 'cannot start' };
      } finally {
        await out.close();
      }
    },

    async state(ctx): Promise<ServiceState> {
      const pid = await readPid(ctx);
      if (pid === null) return { running: false, detail: 'not started (no pid file)' };
      if (!groupRunning(pid)) return { running: false, detail: `pid ${pid} not running` };
      if (!(await isOurs(ctx, pid))) return { running: false, detail: `pid ${pid} is not this service's` };
      return { running: true, detail: `pid ${pid} running` };
    },

    async recentLogs(ctx, maxLines) {
      return tailLines(logFileOf(ctx), maxLines);
    },
  };
}

const pidFileOf = (ctx: RunnerContext) =>
  path.resolve(ctx.root, ctx.profile.pidFile ?? `.moonmind/${ctx.name}.pid`);
const logFileOf = (ctx: RunnerContext) =>
  path.resolve(ctx.root, ctx.profile.logFile ?? `.moonmind/${ctx.name}.log`);

async function readPid(ctx: RunnerContext): Promise<number | null> {
  const text = await readFile(pidFileOf(ctx), 'utf8').catch(() => null);
  const pid = Number(text?.trim());
  return Number.isInteger(pid) && pid > 1 ? pid : null;
}

/**
 * Whether a live pid is this service's: a stale pid file (the machine restarted and the pid went to another
 * program) must not get that program's group killed. On Linux the process's working directory tells; where
 * it cannot be read, the file is trusted.
 */
async function isOurs(ctx: RunnerContext, pid: number): Promise<boolean> {
  const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => null);
  return cwd === null || cwd === (await realpath(ctx.root).catch(() => ctx.root));
}

/** The profile's stop command, else SIGTERM to the pid file's group, then SIGKILL after a grace. */
async function stopService(ctx: RunnerContext, env: Record<string, string>): Promise<CommandOutcome> {
  const started = Date.now();
  if (ctx.profile.stop) {
    const outcome = await runShell(ctx, ctx.profile.stop, env);
    ctx.log(`stop: ${outcome.detail}`);
    if (!outcome.ok) return { ...outcome, detail: `stop failed: ${outcome.detail}` };
  }
  const pid = await readPid(ctx);
  if (pid !== null && groupRunning(pid) && (await isOurs(ctx, pid))) {
    signalGroup(pid, 'SIGTERM');
    const until = Date.now() + killGraceMs;
    while (groupRunning(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    if (groupRunning(pid)) {
      signalGroup(pid, 'SIGKILL');
      ctx.log(`pid ${pid} did not stop on SIGTERM within ${formatDuration(killGraceMs)}: killed`);
    } else ctx.log(`stopped pid ${pid}`);
  }
  await rm(pidFileOf(ctx), { force: true });
  return { ok: true, exitCode: 0, durationMs: Date.now() - started, detail: 'stopped' };
}
