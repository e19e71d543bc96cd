import { open } from 'node:fs/promises';

/** At most this much of a log file's end is read for its last lines. */
const tailBytes = 256 * 1024;

/** The last `maxLines` lines of a file (none when it does not exist). */
export async function tailLines(file: string, maxLines: number): Promise<string[]> {
  const handle = await open(file, 'r').catch(() => null);
  if (!handle) return [];
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, tailBytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    if (length < size) lines.shift(); // a partial first line
    if (lines.at(-1) === '') lines.pop();
    return maxLines > 0 ? lines.slice(-maxLines) : [];
  } finally {
    await handle.close();
  }
}
