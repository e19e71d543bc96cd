import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupAlive } from '../../activities/runtimes/process-group.ts';
import { type PtyOptions, runPtyProcess } from '../../activities/runtimes/pty-process.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mm-pty-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

function start(script: string, stdin = '', extra: Partial<PtyOptions> = {}) {
  const lines: string[] = [];
  let raw = '';
  const proc = runPtyProcess(
    { file: '/bin/sh', args: ['-c', script], env, stdin },
    {
      cwd: dir,
      tmpDir: dir,
      cols: 80,
      rows: 24,
      graceMs: 500,
      onLine: (stream, line) => {
        expect(stream).toBe('stdout');
        lines.push(line);
      },
      onOutput: (d) => {
        raw += d;
      },
      ...extra,
    },
  );
  return { proc, lines, raw: () => raw };
}

describe('a CLI under a PTY', () => {
  it('delivers its lines (stderr merged) and its exit code, without the sentinel', async () => {
    const { proc, lines, raw } = start('echo one; echo two >&2; printf "no newline"; exit 7');
    expect(await proc.done).toEqual({ exitCode: 7, signal: null });
    expect(lines).toEqual(['one', 'two', 'no newline']);
    expect(raw()).toBe('one\r\ntwo\r\nno newline');
    expect(await readdir(dir)).toEqual([]); // the prompt file is gone
  });

  it('loses no tail when many lines come right before the exit', async () => {
    const { proc, lines } = start('i=0; while [ $i -lt 20000 ]; do echo "line $i"; i=$((i+1)); done');
    expect(await proc.done).toEqual({ exitCode: 0, signal: null });
    expect(lines.length).toBe(20_000);
    expect(lines.at(-1)).toBe('line 19999');
    expect(lines.every((l, i) => l === `line ${i}`)).toBe(true);
  });

  it('reads a prompt longer than a terminal line whole from its stdin', async () => {
    const prompt = `${'x'.repeat(50_000)}\nsecond line\n`;
    const { proc, lines } = start('wc -c; tail -n 1', prompt);
    expect(await proc.done).toEqual({ exitCode: 0, signal: null });
    expect(lines[0].trim()).toBe(String(Buffer.byteLength(prompt)));
  });

  it('suspends and resumes the whole group', async () => {
    const { proc, lines } = start(
      'i=0; while [ $i -lt 40 ]; do echo "tick $i"; i=$((i+1)); sleep 0.05; done',
    );
    await new Promise((r) => setTimeout(r, 300));
    proc.suspend();
    expect(proc.suspended).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    const seen = lines.length;
    await new Promise((r) => setTimeout(r, 400));
    expect(lines.length).toBe(seen);
    proc.resume();
    expect(proc.suspended).toBe(false);
    expect(await proc.done).toEqual({ exitCode: 0, signal: null });
    expect(lines.at(-1)).toBe('tick 39');
  });

  it('an abort stops the whole group', async () => {
    const ac = new AbortController();
    const { proc } = start('sleep 30 & sleep 30; echo never', '', { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 300));
    ac.abort();
    const exit = await proc.done;
    expect(exit.exitCode).not.toBe(0);
    // SIGKILLed as done resolves; give the kernel a moment to reap.
    await expect.poll(() => groupAlive(proc.pid), { timeout: 1_000 }).toBe(false);
  });
});
