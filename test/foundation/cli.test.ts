import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// The admin CLI as `npm run moonmind -- …` runs it, without a database: help must not need one.
const cli = (...args: string[]) => {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  return promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { env }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
};

describe('admin CLI', () => {
  it('prints the usage and exits 0 for --help, after any command', async () => {
    for (const args of [['--help'], ['worker-token', 'create', '--help'], ['user', 'create', '-h']]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toContain('moonmind worker-token create --name NAME');
    }
  });

  it('names an unknown option and exits 2 with the usage', async () => {
    const r = await cli('worker-token', 'create', '--bogus');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Unknown option '--bogus'");
    expect(r.stderr).toContain('usage:');
  });
});
