import serializeAddon from '@xterm/addon-serialize';
import xtermHeadless from '@xterm/headless';
import { LIVE_SCROLLBACK_LINES } from '../../contracts/live-session.ts';

/**
 * A terminal's screen kept on the worker (a headless xterm fed with the raw stream): what a viewer that
 * attaches late is shown first, scrollback included.
 */
export class Screen {
  private readonly term: InstanceType<typeof xtermHeadless.Terminal>;
  private readonly serializer = new serializeAddon.SerializeAddon();

  constructor(cols: number, rows: number) {
    this.term = new xtermHeadless.Terminal({
      cols,
      rows,
      scrollback: LIVE_SCROLLBACK_LINES,
      allowProposedApi: true,
    });
    this.term.loadAddon(this.serializer);
  }

  get cols(): number {
    return this.term.cols;
  }

  get rows(): number {
    return this.term.rows;
  }

  write(data: string): void {
    this.term.write(data);
  }

  resize(cols: number, rows: number): void {
    this.term.resize(cols, rows);
  }

  /** The screen once everything written so far is parsed (xterm parses writes asynchronously). */
  serialize(): Promise<string> {
    return new Promise((resolve) => this.term.write('', () => resolve(this.serializer.serialize())));
  }

  dispose(): void {
    this.term.dispose();
  }
}
