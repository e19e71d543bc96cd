import { existsSync } from 'node:fs';
import type { ToWorkerFrame } from '../../contracts/live-session.ts';
import type { PtyProcess } from '../runtimes/pty-process.ts';
import { type LinkOptions, LiveLink } from './link.ts';
import { secretMask } from './mask.ts';
import { Recording } from './recording.ts';
import { Screen } from './screen.ts';
import { type ShellSpec, TakeoverShell } from './shell.ts';

export interface LiveTerminalOptions {
  cols: number;
  rows: number;
  /** The attempt's recording (`artifacts/logs/live-session.cast`) and its title. */
  castPath: string;
  castTitle: string;
  /** The runtime's key, masked in everything streamed or recorded. */
  secret?: string;
  shell: ShellSpec;
  /** The link's socket (`hello` aside: the terminal adds its size). */
  link: Pick<LinkOptions, 'url' | 'headers'> & { hello: Omit<LinkOptions['hello'], 'cols' | 'rows'> };
  /** The session failed on the worker's side; called once at most. The step goes on headless. */
  warn(reason: string): void;
}

interface Pane {
  screen: Screen;
  mask: ReturnType<typeof secretMask>;
  write(data: string): void;
  resize(cols: number, rows: number): void;
}

/**
 * A step's terminal as a live session sees it: the agent's PTY output feeds its screen, and while a session
 * streams, the link and the recording. A takeover's shell is a second pane the stream switches to.
 */
export class LiveTerminal {
  private readonly agent: Pane;
  private agentProc: PtyProcess | undefined;
  private shell: (Pane & { proc: TakeoverShell }) | undefined;
  private readonly link: LiveLink;
  private recording: Recording | undefined;
  private streaming = false;
  private cols: number;
  private rows: number;
  /** While a screen is being serialized, output waits, so a viewer never sees it before the screen. */
  private screensPending = 0;
  private held = '';
  private warned = false;

  constructor(private readonly opts: LiveTerminalOptions) {
    this.cols = opts.cols;
    this.rows = opts.rows;
    this.agent = {
      screen: new Screen(opts.cols, opts.rows),
      mask: secretMask(opts.secret),
      write: (d) => this.agentProc?.write(d),
      resize: (c, r) => this.agentProc?.resize(c, r),
    };
    this.link = new LiveLink({
      ...opts.link,
      hello: { ...opts.link.hello, cols: opts.cols, rows: opts.rows },
      onFrame: (frame) => this.onFrame(frame),
      onFailure: (reason, opened) => {
        this.streaming = false;
        if (opened || opts.link.hello.autoStart) this.warn(`live session link failed: ${reason}`);
      },
      onResync: () => this.sendScreen(null),
    });
    // A session that already recorded in an earlier step of this attempt goes on recording.
    if (existsSync(opts.castPath)) this.startRecording();
  }

  attachAgent(proc: PtyProcess): void {
    this.agentProc = proc;
  }

  /** The agent's raw terminal stream. */
  agentOutput(data: string): void {
    this.paneOutput(this.agent, data);
  }

  /** Step end: the shell goes, batched output is sent, the socket closes normally, the recording is written. */
  async close(): Promise<void> {
    this.closeShell(false);
    this.paneOutput(this.agent, this.agent.mask.flush());
    this.flushHeld();
    await this.link.close();
    const recording = this.recording;
    this.recording = undefined;
    await recording?.close();
    this.agent.screen.dispose();
  }

  private paneOutput(pane: Pane, raw: string): void {
    const data = pane.mask.push(raw);
    if (!data) return;
    pane.screen.write(data);
    if (pane !== this.active) return;
    this.recording?.output(data);
    if (!this.streaming) return;
    if (this.screensPending > 0) this.held += data;
    else this.link.out(data);
  }

  private get active(): Pane {
    return this.shell ?? this.agent;
  }

  private onFrame(frame: ToWorkerFrame): void {
    switch (frame.t) {
      case 'start':
        this.streaming = true;
        this.startRecording();
        this.link.send({ t: 'ready', sessionId: frame.sessionId });
        this.sendScreen(null);
        break;
      case 'stop':
        this.streaming = false;
        break;
      case 'snapshot':
        this.sendScreen(frame.to);
        break;
      case 'in':
        this.recording?.input(frame.d);
        this.active.write(frame.d);
        break;
      case 'resize':
        this.cols = frame.cols;
        this.rows = frame.rows;
        for (const pane of [this.agent, this.shell]) {
          pane?.resize(frame.cols, frame.rows);
          pane?.screen.resize(frame.cols, frame.rows);
        }
        break;
      case 'grant':
        this.recording?.marker(
          frame.actor ? `write granted to ${frame.actor} until ${frame.expiresAt}` : 'write revoked',
        );
        break;
      case 'shell':
        if (frame.open) this.openShell(frame.actor);
        else this.closeShell(true);
        break;
    }
  }

  private openShell(actor: string): void {
    if (!this.shell) {
      try {
        const mask = secretMask(this.opts.secret);
        const screen = new Screen(this.cols, this.rows);
        const proc = new TakeoverShell(
          this.opts.shell,
          { cols: this.cols, rows: this.rows },
          (d) => this.shell && this.paneOutput(this.shell, d),
          () => this.shell?.proc === proc && this.closeShell(true, 'the shell exited'),
        );
        this.shell = { screen, mask, proc, write: (d) => proc.write(d), resize: (c, r) => proc.resize(c, r) };
      } catch (err) {
        this.link.send({
          t: 'shell',
          open: false,
          reason: `the shell could not start: ${(err as Error).message}`,
        });
        return;
      }
      this.recording?.marker(`shell opened by ${actor}`);
    }
    this.link.send({ t: 'shell', open: true });
    if (this.streaming) this.sendScreen(null);
  }

  private closeShell(reply: boolean, reason?: string): void {
    const shell = this.shell;
    if (shell) {
      this.shell = undefined;
      shell.proc.kill();
      shell.screen.dispose();
      this.recording?.marker('shell closed');
    }
    if (!reply) return;
    this.link.send({ t: 'shell', open: false, ...(reason ? { reason } : {}) });
    if (shell && this.streaming) this.sendScreen(null);
  }

  private sendScreen(to: string | null): void {
    const { screen } = this.active;
    // Output batched so far is in the screen too: it goes first, and the screen then replaces it.
    this.link.flush();
    this.screensPending += 1;
    void screen
      .serialize()
      .then((d) => this.link.send({ t: 'screen', to, d, cols: screen.cols, rows: screen.rows }))
      .catch(() => {}) // the screen was disposed meanwhile: the step or the shell ended
      .finally(() => {
        this.screensPending -= 1;
        if (this.screensPending === 0) this.flushHeld();
      });
  }

  private flushHeld(): void {
    if (this.held && this.streaming) this.link.out(this.held);
    this.held = '';
  }

  private startRecording(): void {
    if (this.recording) return;
    try {
      this.recording = Recording.open(
        this.opts.castPath,
        {
          cols: this.cols,
          rows: this.rows,
          title: this.opts.castTitle,
        },
        (err) => this.warn(`the recording could not be written: ${err.message}`),
      );
    } catch (err) {
      this.warn(`the recording could not be opened: ${(err as Error).message}`);
    }
  }

  private warn(reason: string): void {
    if (this.warned) return;
    this.warned = true;
    this.link.send({ t: 'error', reason });
    this.opts.warn(reason);
  }
}
