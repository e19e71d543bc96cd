import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../contracts/events.ts';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { listEvents, submitJob } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';
import { startCli } from './run-cli.ts';

const working = (e: JobEvent) => Number(/\bworking (\d+)\b/.exec(e.message)?.[1] ?? 0);

describe('logs -f across an API restart', () => {
  let stack: Stack;
  let remote: GitRemote;
  beforeAll(async () => {
    remote = await createGitRemote(['octo/follow']);
    stack = await startStack({
      workers: [
        { pool: 'follow', capabilities: ['codex', 'git'], env: { MOONMIND_GIT_BASE_URL: remote.baseUrl } },
      ],
    });
  });
  afterAll(() => stack?.stop());

  it('prints every line once and in order while the API goes away and comes back, then exits 0', async () => {
    const job = await submitJob(stack, {
      repository: 'octo/follow',
      task: {
        instructions: 'Count slowly',
        publish: { mode: 'none' },
        steps: [{ instructions: 'FAKE_SLEEP=12' }],
      },
    });
    const follow = startCli(['logs', job.id, '-f', '--raw'], {
      env: { MOONMIND_URL: stack.apiUrl, MOONMIND_TOKEN: stack.adminToken },
    });
    let printed = '';
    follow.stdout?.on('data', (d: string) => {
      printed += d;
    });
    // Restart while the agent is counting: some lines before, some during the outage, some after.
    const deadline = Date.now() + 90_000;
    while (!/working 3\b/.test(printed)) {
      if (Date.now() > deadline) throw new Error(`the CLI printed no count yet:\n${printed}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await stack.stopApi();
    await new Promise((r) => setTimeout(r, 3000));
    await stack.startApi();

    const r = await follow.result;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('connection lost');
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as JobEvent);
    const counts = events.map(working).filter(Boolean);
    expect(counts.length).toBeGreaterThanOrEqual(20);
    expect(counts).toEqual(Array.from({ length: counts.length }, (_, i) => i + 1));
    // Exactly what the API stored, each event once: nothing lost across the restart, nothing repeated.
    expect(events.map((e) => e.id)).toEqual((await listEvents(stack, job.id)).map((e) => e.id));
    expect(events.at(-1)?.type).toBe('run.finished');
  });
});
