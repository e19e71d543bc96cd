/**
 * The output of a CLI run under a PTY by pty-process.ts: the raw stream up to the wrapper's sentinel line
 * (`\n<sentinel> <exit code>\n`, printed after the CLI ends), cut into lines. The sentinel is never passed on;
 * a tail that could be its beginning is held back until the next chunk tells.
 */
export class PtyStream {
  private pending = '';
  private partial = '';
  /** The CLI's exit status, once the sentinel arrived: the stream is then complete. */
  exitStatus: number | undefined;

  constructor(
    private readonly sentinel: string,
    private readonly onRaw: (data: string) => void,
    private readonly onLine: (line: string) => void,
  ) {}

  push(data: string): void {
    if (this.exitStatus !== undefined) return; // an orphan's output after the CLI ended
    this.pending += data;
    const marker = `\n${this.sentinel} `;
    const at = this.pending.indexOf(marker);
    if (at >= 0) {
      const end = this.pending.indexOf('\n', at + marker.length);
      if (end < 0) return;
      const status = Number.parseInt(this.pending.slice(at + marker.length, end), 10);
      this.pass(this.pending.slice(0, this.pending[at - 1] === '\r' ? at - 1 : at));
      this.pending = '';
      this.end();
      this.exitStatus = Number.isNaN(status) ? 1 : status;
      return;
    }
    let keep = this.pending.length;
    const nl = this.pending.lastIndexOf('\n');
    if (nl >= 0 && marker.startsWith(this.pending.slice(nl))) keep = nl;
    if (this.pending[keep - 1] === '\r') keep -= 1;
    this.pass(this.pending.slice(0, keep));
    this.pending = this.pending.slice(keep);
  }

  /** No sentinel will come (the wrapper was killed): pass on what is held back. */
  end(): void {
    if (this.exitStatus !== undefined) return;
    this.pass(this.pending);
    this.pending = '';
    if (this.partial) this.onLine(this.partial.replace(/\r$/, ''));
    this.partial = '';
  }

  private pass(data: string): void {
    if (!data) return;
    this.onRaw(data);
    const lines = (this.partial + data).split(/\r?\n/);
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.onLine(line.replace(/\r$/, ''));
  }
}
