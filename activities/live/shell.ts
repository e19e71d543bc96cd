import { existsSync } from 'node:fs';
import { spawn } from '@lydell/node-pty';
import { signalGroup } from '../runtimes/process-group.ts';

/** Where and as whom the takeover shell runs: the agent's repository, user, group and environment. */
export interface ShellSpec {
  cwd: string;
  uid?: number;
  gid?: number;
  env: Record<string, string>;
}

/** The operator's shell of a takeover, in a PTY of its own next to the stopped agent. */
export class TakeoverShell {
  private readonly pty: ReturnType<typeof spawn>;
  private exited = false;

  constructor(
    spec: ShellSpec,
    size: { cols: number; rows: number },
    onData: (data: string) => void,
    onExit: () => void,
  ) {
    const bash = existsSync('/bin/bash');
    this.pty = spawn(bash ? '/bin/bash' : '/bin/sh', ['-i'], {
      name: 'xterm-256color',
      ...size,
      cwd: spec.cwd,
      env: spec.env,
      uid: spec.uid,
      gid: spec.gid,
    });
    this.pty.onData(onData);
    this.pty.onExit(() => {
      this.exited = true;
      onExit();
    });
  }

  write(data: string): void {
    if (!this.exited) this.pty.write(data);
  }

  resize(cols: number, rows: number): void {
    if (!this.exited) this.pty.resize(cols, rows);
  }

  /**
   * A hang-up first (an interactive shell passes it to its jobs, each in a group of its own), then SIGKILL
   * for the shell's group and whatever ignored the hang-up there.
   */
  kill(): void {
    if (this.exited) return;
    const pgid = this.pty.pid;
    signalGroup(pgid, 'SIGHUP');
    signalGroup(pgid, 'SIGCONT');
    setTimeout(() => signalGroup(pgid, 'SIGKILL'), 500).unref();
  }
}
