import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { holdWhileFileExists, supervise } from '../../scripts/supervise.ts';

describe('the launcher supervises its services', () => {
  it('restarts a service that exits, with a growing backoff, and gives up when it keeps crashing', async () => {
    const lines: string[] = [];
    let starts = 0;
    const gaveUp = new Promise<string>((resolve) => {
      void supervise(
        'flaky',
        async () => {
          starts += 1;
          return { exited: new Promise((r) => setTimeout(() => r(137), 5)), stop: async () => {} };
        },
        { log: (l) => lines.push(l), giveUp: resolve, maxCrashes: 3, baseDelayMs: 10 },
      );
    });
    expect(await gaveUp).toBe('flaky exited 4 times in 10 minutes (last exit code 137); giving up');
    expect(starts).toBe(4);
    expect(lines.filter((l) => l.includes('restarting in'))).toEqual([
      'flaky exited unexpectedly (code 137); restarting in 0.01 s (1/3 in 10 min)',
      'flaky exited unexpectedly (code 137); restarting in 0.02 s (2/3 in 10 min)',
      'flaky exited unexpectedly (code 137); restarting in 0.04 s (3/3 in 10 min)',
    ]);
  });

  it('a stop is not a crash', async () => {
    let exit!: (code: number) => void;
    const lines: string[] = [];
    const sup = await supervise(
      'calm',
      async () => ({
        exited: new Promise((r) => {
          exit = r;
        }),
        stop: async () => exit(0),
      }),
      { log: (l) => lines.push(l), giveUp: () => lines.push('gave up') },
    );
    await sup.stop();
    await new Promise((r) => setTimeout(r, 50));
    expect(lines).toEqual([]);
  });

  it('does not restart a crashed service while a hold file names it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mm-hold-'));
    await writeFile(path.join(dir, 'held'), '');
    let starts = 0;
    const sup = await supervise(
      'held',
      async () => {
        starts += 1;
        return { exited: starts === 1 ? Promise.resolve(137) : new Promise(() => {}), stop: async () => {} };
      },
      { log: () => {}, giveUp: () => {}, baseDelayMs: 10, restartHold: holdWhileFileExists(dir) },
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(starts).toBe(1);
    await rm(dir, { recursive: true });
    await new Promise((r) => setTimeout(r, 500));
    expect(starts).toBe(2);
    await sup.stop();
  });
});
