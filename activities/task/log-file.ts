import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { redact } from '../../contracts/secrets.ts';

/** An append-only log file; every line is redacted before it is written. */
export class LogFile {
  private constructor(
    readonly path: string,
    private readonly out: WriteStream,
  ) {}

  static async open(path: string): Promise<LogFile> {
    await mkdir(dirname(path), { recursive: true });
    return new LogFile(path, createWriteStream(path, { flags: 'a' }));
  }

  line(text: string): void {
    this.out.write(`${redact(text)}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.out.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
  }
}
