import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { downloadArtifact, submitJob, waitForStatus } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

describe('hostile agent output is stored, every line of it (real Temporal, PostgreSQL, git)', () => {
  let stack: Stack;
  let remote: GitRemote;
  beforeAll(async () => {
    remote = await createGitRemote(['acme/hostile']);
    stack = await startStack({
      workers: [
        { pool: 'hostile', capabilities: ['codex', 'git'], env: { MOONMIND_GIT_BASE_URL: remote.baseUrl } },
      ],
    });
  });
  afterAll(() => stack?.stop());

  it('NUL, lone surrogates, invalid UTF-8, ANSI escapes and a 1 MB line: every line arrives, the run finishes whole', async () => {
    const job = await submitJob(stack, {
      repository: 'acme/hostile',
      task: { instructions: 'FAKE_HOSTILE_OUTPUT', publish: { mode: 'none' } },
    });
    const done = await waitForStatus(stack, job.id, ['succeeded', 'failed', 'dead_letter']);
    expect(done.status, done.error ?? '').toBe('succeeded');
    const events = [];
    for (let after = 0; ; ) {
      const res = await stack.api(`/api/queue/jobs/${job.id}/events?afterEventId=${after}&limit=1000`);
      const { items } = await res.json();
      events.push(...items);
      if (items.length < 1000) break;
      after = items[items.length - 1].id;
    }
    const logs = events.filter((e) => e.type === 'log').map((e) => e.message as string);
    const at = (n: number) => logs.findIndex((m) => m.startsWith(`hostile ${n}:`));
    for (let n = 1; n <= 6; n++) expect(at(n), `hostile ${n}`).toBeGreaterThanOrEqual(0);
    expect(logs[at(1)]).toBe('hostile 1: nul \uFFFD here');
    expect(logs[at(2)]).toBe('hostile 2: lone \uFFFD surrogate');
    expect(logs[at(3)]).toContain('hostile 3: bad utf-8 \uFFFD');
    expect(logs[at(4)]).toBe('hostile 4: \u001b[1;31mbold red\u001b[0m');
    // The 1 MB line arrives whole, in order, in chunks.
    const big = logs.slice(at(5), at(6)).join('');
    expect(big).toBe(`hostile 5: ${'x'.repeat(1024 * 1024)}`);
    const types = events.map((e) => e.type);
    for (const t of ['task.step.finished', 'moonmind.task.execute.finished', 'run.finished'])
      expect(types, t).toContain(t);
    expect(types).not.toContain('event.rejected');
    expect(await downloadArtifact(stack, job.id, 'logs/execute.log')).toContain('hostile 6: end');
  });
});
