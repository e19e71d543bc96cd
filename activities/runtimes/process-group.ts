import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { type Attributes, SpanStatusCode } from '@opentelemetry/api';
import { startSpan } from '../../lib/tracing.ts';
import type { Invocation } from './adapters.ts';
import type { AgentLine } from './agent-line.ts';

export type Stream = 'stdout' | 'stderr';

export interface RunOptions {
  cwd: string;
  /** Run as this user and group (the agent's box, sandbox.ts); libuv then drops supplementary groups. */
  uid?: number;
  gid?: number;
  /**
   * Reads each whole line before it is cut into chunks (a JSON event is only readable whole); what it
   * returns is passed along with the line's first chunk.
   */
  read?: (stream: Stream, line: string) => AgentLine | null;
  onLine: (stream: Stream, line: string, shown: AgentLine | null) => void;
  /** Aborting stops the whole process group: SIGINT, then SIGKILL after `graceMs`. */
  signal?: AbortSignal;
  graceMs?: number;
  /** Put on the process's `agent process` span (runtime, model, step; nothing from the prompt or env). */
  traceAttributes?: Attributes;
}

export interface RunningProcess {
  pid: number;
  /** SIGSTOP / SIGCONT the whole group (hard pause). */
  suspend(): void;
  resume(): void;
  readonly suspended: boolean;
  done: Promise<ProcessExit>;
}

export interface ProcessExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

const MAX_LINE = 16_000;

/** True while any process of the group is alive. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

export function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    // The group is already gone.
  }
}

/**
 * Run a runtime CLI in its own process group (detached), the prompt written to its stdin which is then
 * closed (codex waits for stdin to close), each output line delivered as it comes. When the CLI exits, whatever it left running
 * in its group is killed so no orphan outlives the step and holds the output pipes open.
 */
export function runProcessGroup(inv: Invocation, opts: RunOptions): RunningProcess {
  const span = processSpan(inv, opts);
  const child = spawn(inv.file, inv.args, {
    cwd: opts.cwd,
    uid: opts.uid,
    gid: opts.gid,
    env: inv.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  // A CLI that exits without reading all of it must not take the worker down with EPIPE.
  child.stdin!.on('error', () => {});
  child.stdin!.end(inv.stdin);
  const pgid = child.pid;
  span?.setAttribute('process.pid', pgid ?? -1);
  const readers = (['stdout', 'stderr'] as const).map((stream) => {
    const rl = createInterface({ input: child[stream], crlfDelay: Number.POSITIVE_INFINITY });
    rl.on('line', (line) => deliverLine(opts, stream, line));
    return new Promise<void>((resolve) => rl.once('close', resolve));
  });

  const stop = () => pgid && stopGroup(pgid, opts.graceMs);
  opts.signal?.addEventListener('abort', stop, { once: true });

  const done = new Promise<ProcessExit>((resolve, reject) => {
    child.once('error', (err) => {
      span?.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
      span?.end();
      reject(err);
    });
    child.once('exit', async (exitCode, signal) => {
      opts.signal?.removeEventListener('abort', stop);
      if (pgid) {
        if (opts.signal?.aborted) await waitGroupGone(pgid, opts.graceMs ?? 3_000);
        signalGroup(pgid, 'SIGKILL');
      }
      // Orphans are gone, so the pipes close; don't wait forever on a descendant that left the group.
      await Promise.race([Promise.all(readers), new Promise((r) => setTimeout(r, 2_000).unref())]);
      endProcessSpan(span, { exitCode, signal });
      resolve({ exitCode, signal });
    });
  });

  // Assigned, not spread: a spread would freeze the `suspended` getter.
  return Object.assign(groupPause(pgid), { done });
}

/** The `agent process` span (runtime, model, step; nothing from the prompt or env). */
export function processSpan(inv: Invocation, opts: RunOptions) {
  return startSpan('agent process', {
    'process.executable.name': basename(inv.file),
    ...opts.traceAttributes,
  });
}

export function endProcessSpan(span: ReturnType<typeof startSpan>, exit: ProcessExit): void {
  span?.setAttributes({
    'process.exit_code': exit.exitCode ?? -1,
    ...(exit.signal ? { 'process.signal': exit.signal } : {}),
  });
  if (exit.exitCode !== 0)
    span?.setStatus({ code: SpanStatusCode.ERROR, message: `exit ${exit.exitCode ?? exit.signal}` });
  span?.end();
}

/** One whole line to `read`, then to `onLine` in chunks of at most MAX_LINE characters. */
export function deliverLine(opts: RunOptions, stream: Stream, line: string): void {
  const shown = opts.read?.(stream, line) ?? null;
  for (let i = 0; i < line.length || i === 0; i += MAX_LINE)
    opts.onLine(stream, line.slice(i, i + MAX_LINE), i === 0 ? shown : null);
}

/** Interrupt the whole group (continuing it first, should it be paused), SIGKILL after the grace. */
export function stopGroup(pgid: number, graceMs = 3_000): void {
  signalGroup(pgid, 'SIGCONT');
  signalGroup(pgid, 'SIGINT');
  setTimeout(() => signalGroup(pgid, 'SIGKILL'), graceMs).unref();
}

/** Hard pause of the whole group: the `RunningProcess` side of both runners. */
export function groupPause(pgid: number | undefined): Omit<RunningProcess, 'done'> {
  let suspended = false;
  return {
    pid: pgid ?? -1,
    get suspended() {
      return suspended;
    },
    suspend() {
      if (pgid && !suspended) {
        signalGroup(pgid, 'SIGSTOP');
        suspended = true;
      }
    },
    resume() {
      if (pgid && suspended) {
        signalGroup(pgid, 'SIGCONT');
        suspended = false;
      }
    },
  };
}

/** After an interrupt, give the rest of the group its grace period to exit on its own. */
export async function waitGroupGone(pgid: number, graceMs: number) {
  const until = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
}
