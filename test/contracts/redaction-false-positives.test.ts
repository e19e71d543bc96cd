import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { containsSecret, createLineRedactor } from '../../contracts/secrets.ts';
import { normalizeJob } from '../../contracts/task.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The seed architecture (MoonMind's own prose, a good false-positive corpus) when the shared spec folder sits
 * next to the checkout, as it does in the project's workspace: the nearest ancestor's `shared/`. A clone
 * elsewhere scans the tracked files alone.
 */
function sharedSeed(): string[] {
  for (let dir = repoRoot; ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'seed', 'TaskArchitecture.md');
    if (existsSync(candidate)) return [candidate];
    if (dirname(dir) === dir) {
      console.log(`shared/seed/TaskArchitecture.md is not above ${repoRoot}: tracked files only`);
      return [];
    }
  }
}

/** Every text file git tracks (the lockfile is generated integrity hashes), plus the seed architecture. */
function corpusFiles(): string[] {
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: repoRoot, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && f !== 'package-lock.json')
    .map((f) => join(repoRoot, f));
  return [...tracked, ...sharedSeed()];
}

describe('redaction leaves ordinary text alone', () => {
  it('finds nothing in any tracked text file or the seed architecture', () => {
    const hits: string[] = [];
    let files = 0;
    let lines = 0;
    for (const file of corpusFiles()) {
      if (!existsSync(file)) continue; // deleted in the working tree, not yet committed
      const text = readFileSync(file, 'utf8');
      if (text.includes('\0')) continue; // binary
      files += 1;
      const redactor = createLineRedactor();
      text.split('\n').forEach((line, i) => {
        lines += 1;
        if (containsSecret(line) || redactor.line(line) !== line)
          hits.push(`${relative(repoRoot, file)}:${i + 1}: ${line.slice(0, 120)}`);
      });
      // Whole files too: payload fields are multi-line strings.
      if (containsSecret(text) && !hits.some((h) => h.startsWith(relative(repoRoot, file))))
        hits.push(`${relative(repoRoot, file)}: whole file`);
    }
    console.log(`false positives: ${hits.length} hits over ${files} files, ${lines} lines`);
    expect(files).toBeGreaterThan(100);
    expect(hits).toEqual([]);
  });

  it.each([
    'Fix the Basic AuthenticationProviderFactory class so logins work',
    'Clone ssh://git@git.example.com/acme/widgets.git and compare',
    'Use git@github.com:acme/widgets.git',
    'Rotate the token in TokenRefreshService before it expires',
    'Bearer authentication is handled in middleware/authenticate.ts',
  ])('accepts as instructions: %s', (instructions) => {
    const result = normalizeJob(
      { type: 'task', payload: { repository: 'acme/widgets', task: { instructions } } },
      { defaultRuntime: 'codex' },
    );
    expect(result).toMatchObject({ ok: true, job: { payload: { task: { instructions } } } });
  });
});
