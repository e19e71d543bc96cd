import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSse } from '../api/sse-client.ts';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { listEvents, submitJob } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

const agentLine = (message: string) => /\bline (\d+)\b/.exec(message)?.[1];

describe('live output over Server-Sent Events', () => {
  let stack: Stack;
  let remote: GitRemote;
  beforeAll(async () => {
    remote = await createGitRemote(['octo/stream']);
    stack = await startStack({
      workers: [
        { pool: 'stream', capabilities: ['codex', 'git'], env: { MOONMIND_GIT_BASE_URL: remote.baseUrl } },
      ],
    });
  });
  afterAll(() => stack?.stop());

  it('delivers every line the agent prints, in order; a resumed stream misses nothing and repeats nothing', async () => {
    const job = await submitJob(stack, {
      repository: 'octo/stream',
      task: {
        instructions: 'Stream',
        publish: { mode: 'none' },
        steps: [{ instructions: 'FAKE_LINES=60 FAKE_SLEEP=3' }],
      },
    });
    const auth = { authorization: `Bearer ${stack.adminToken}` };
    const url = `${stack.apiUrl}/api/queue/jobs/${job.id}/events/stream`;
    const live = await openSse(url, auth);
    expect(live.status).toBe(200);
    const end = await live.ended;
    expect(end?.status).toBe('succeeded');

    const lines = live.events
      .filter((e) => e.type === 'log')
      .map((e) => agentLine(e.message))
      .filter(Boolean)
      .map(Number);
    expect(lines).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const stored = await listEvents(stack, job.id);
    expect(live.events.map((e) => e.id)).toEqual(stored.map((e) => e.id));

    // Reconnect from the middle, as EventSource does after a dropped connection.
    const cut = live.events[Math.floor(live.events.length / 2)];
    const resumed = await openSse(url, { ...auth, 'last-event-id': String(cut.id) });
    await resumed.ended;
    expect(resumed.events.map((e) => e.id)).toEqual(stored.filter((e) => e.id > cut.id).map((e) => e.id));
  });
});
