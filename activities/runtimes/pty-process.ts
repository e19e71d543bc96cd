import { randomBytes } from 'node:crypto';
import { chownSync, rmSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { spawn } from '@lydell/node-pty';
import type { Invocation } from './adapters.ts';
import {
  deliverLine,
  endProcessSpan,
  groupPause,
  type ProcessExit,
  processSpan,
  type RunningProcess,
  type RunOptions,
  signalGroup,
  stopGroup,
  waitGroupGone,
} from './process-group.ts';
import { PtyStream } from './pty-stream.ts';

export interface PtyOptions extends RunOptions {
  /** The attempt's tmp dir (the agent's): the prompt file goes there. */
  tmpDir: string;
  cols: number;
  rows: number;
  /** The raw terminal stream (escapes and all, the sentinel left out), for the live screen. */
  onOutput?: (data: string) => void;
}

export interface PtyProcess extends RunningProcess {
  /** Type into the terminal (what a write holder sends). */
  write(data: string): void;
  resize(cols: number, rows: number): void;
}

/** How long after the wrapper exits its sentinel may still arrive before node-pty's exit code is taken. */
const SENTINEL_GRACE_MS = 1_000;

/**
 * Run a runtime CLI as `runProcessGroup` does (own process group, same user, cwd and env, lines delivered as
 * they come), but with a pseudo-terminal as its stdout and stderr, so its screen can be watched live. The
 * prompt is read from a file (a PTY's canonical mode would cut long lines). node-pty may drop the output's
 * tail when the process exits, so the CLI runs under an `sh` wrapper that prints a random sentinel and the
 * exit status after it: the output is complete when the sentinel arrives.
 */
export function runPtyProcess(inv: Invocation, opts: PtyOptions): PtyProcess {
  const nonce = randomBytes(12).toString('hex');
  const sentinel = `MM-END-${nonce}`;
  const promptFile = join(opts.tmpDir, `.prompt-${nonce}`);
  writeFileSync(promptFile, inv.stdin, { mode: 0o600 });
  if (opts.uid !== undefined) chownSync(promptFile, opts.uid, opts.gid ?? -1);
  const span = processSpan(inv, opts);
  // The wrapper then waits to be killed: node-pty drops what it has not read once the process exits.
  const script = 'p=$1; s=$2; shift 2; "$@" < "$p"; printf \'\\n%s %d\\n\' "$s" "$?"; exec sleep 60';
  let pty: ReturnType<typeof spawn>;
  try {
    pty = spawn('/bin/sh', ['-c', script, 'sh', promptFile, sentinel, inv.file, ...inv.args], {
      name: 'xterm-256color',
      cols: opts.cols,
      rows: opts.rows,
      cwd: opts.cwd,
      env: inv.env,
      uid: opts.uid,
      gid: opts.gid,
    });
  } catch (err) {
    rmSync(promptFile, { force: true });
    span?.end();
    throw err;
  }
  const pgid = pty.pid;
  span?.setAttribute('process.pid', pgid);
  // A PTY merges stderr into stdout: every line is the CLI's stdout.
  const stream = new PtyStream(
    sentinel,
    (data) => opts.onOutput?.(data),
    (line) => deliverLine(opts, 'stdout', line),
  );
  const stop = () => stopGroup(pgid, opts.graceMs);
  opts.signal?.addEventListener('abort', stop, { once: true });

  let exited: ProcessExit | undefined;
  const done = new Promise<ProcessExit>((resolve) => {
    let finished = false;
    const finish = async () => {
      if (finished || (!exited && stream.exitStatus === undefined)) return;
      finished = true;
      opts.signal?.removeEventListener('abort', stop);
      if (opts.signal?.aborted) await waitGroupGone(pgid, opts.graceMs ?? 3_000);
      // Whatever the CLI left running in its group goes with it, as headless.
      signalGroup(pgid, 'SIGKILL');
      const status = stream.exitStatus;
      stream.end();
      rmSync(promptFile, { force: true });
      const exit = status === undefined ? (exited as ProcessExit) : statusExit(status);
      endProcessSpan(span, exit);
      resolve(exit);
    };
    pty.onData((data) => {
      stream.push(data);
      if (stream.exitStatus !== undefined) void finish();
    });
    pty.onExit(({ exitCode, signal }) => {
      exited = signal ? { exitCode: null, signal: signalName(signal) } : { exitCode, signal: null };
      setTimeout(finish, SENTINEL_GRACE_MS).unref();
    });
  });

  // Assigned, not spread: a spread would freeze the `suspended` getter.
  return Object.assign(groupPause(pgid), {
    done,
    write: (data: string) => {
      if (stream.exitStatus === undefined && !exited) pty.write(data);
    },
    resize: (cols: number, rows: number) => {
      if (!exited) pty.resize(cols, rows);
    },
  });
}

/** A shell's `$?`: above 128 is death by signal 128+n, reported as headless reports it. */
function statusExit(status: number): ProcessExit {
  const signal = status > 128 ? signalName(status - 128) : null;
  return signal ? { exitCode: null, signal } : { exitCode: status, signal: null };
}

function signalName(n: number): NodeJS.Signals | null {
  const found = Object.entries(constants.signals).find(([, v]) => v === n);
  return (found?.[0] as NodeJS.Signals | undefined) ?? null;
}
