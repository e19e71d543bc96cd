import { closeSync, createWriteStream, mkdirSync, openSync, readSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The session's recording, asciicast v2 (playable by `asciinema play`): a header line, then
 * `[seconds, code, data]` events: `o` output, `i` accepted input, `m` markers (grants, shell). A later step of
 * the same attempt appends to the same file, its times counted from the header's.
 */
export class Recording {
  private constructor(
    private readonly out: WriteStream,
    private readonly startMs: number,
  ) {}

  /** `onError`: the file could not be written (a full disk); the step goes on without it. */
  static open(
    path: string,
    header: { cols: number; rows: number; title: string },
    onError: (err: Error) => void,
  ): Recording {
    mkdirSync(dirname(path), { recursive: true });
    const known = headerTimestamp(path);
    const out = createWriteStream(path, { flags: 'a', mode: 0o600 });
    out.on('error', onError);
    if (known !== undefined) return new Recording(out, known * 1_000);
    const startMs = Date.now();
    const timestamp = Math.floor(startMs / 1_000);
    out.write(
      `${JSON.stringify({ version: 2, width: header.cols, height: header.rows, timestamp, title: header.title })}\n`,
    );
    return new Recording(out, timestamp * 1_000);
  }

  output(data: string): void {
    this.event('o', data);
  }

  input(data: string): void {
    this.event('i', data);
  }

  marker(text: string): void {
    this.event('m', text);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(resolve));
  }

  private event(code: 'o' | 'i' | 'm', data: string): void {
    const seconds = Math.max(0, (Date.now() - this.startMs) / 1_000);
    this.out.write(`${JSON.stringify([Number(seconds.toFixed(6)), code, data])}\n`);
  }
}

/** The start of an existing recording (its header's timestamp), if there is one. */
function headerTimestamp(path: string): number | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const head = Buffer.alloc(1_000);
    const text = head.subarray(0, readSync(fd, head, 0, head.length, 0)).toString('utf8');
    const line = text.slice(0, text.indexOf('\n'));
    return line ? (JSON.parse(line) as { timestamp?: number }).timestamp : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
