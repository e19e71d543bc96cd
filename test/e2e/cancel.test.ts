import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { getJob, listArtifacts, listEvents, submitJob, waitForJob, waitForStatus } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('cancellation', () => {
  let stack: Stack;
  let remote: GitRemote;
  let pidFile: string;
  beforeAll(async () => {
    remote = await createGitRemote(['octo/cancel']);
    stack = await startStack();
    pidFile = path.join(stack.agentOut, 'agent-pids');
    await stack.startWorker({
      pool: 'cancel',
      capabilities: ['codex', 'git'],
      env: { MOONMIND_GIT_BASE_URL: remote.baseUrl, FAKE_AGENT_PIDS: pidFile },
    });
  });
  afterAll(() => stack?.stop());

  it('stops a long step within seconds: agent and its child gone, cancelled, no publish', async () => {
    const job = await submitJob(stack, {
      repository: 'octo/cancel',
      task: {
        instructions: 'Work forever',
        publish: { mode: 'branch' },
        steps: [{ instructions: 'FAKE_SPAWN_CHILD FAKE_SLEEP=300' }],
      },
    });
    await waitForJob(stack, job.id, (j) => j.stage === 'moonmind.task.execute');
    let pids: number[] = [];
    for (let i = 0; i < 100 && pids.length < 2; i++) {
      pids = (await readFile(pidFile, 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(pids.every(alive)).toBe(true);

    const res = await stack.api(`/api/queue/jobs/${job.id}/cancel`, {
      method: 'POST',
      json: { reason: 'changed my mind' },
    });
    expect(res.status).toBe(200);
    const requestedAt = Date.now();
    expect((await getJob(stack, job.id)).cancelRequestedAt).toBeTruthy();

    const done = await waitForStatus(stack, job.id, ['cancelled', 'succeeded', 'failed']);
    expect(done.status).toBe('cancelled');
    while (pids.some(alive) && Date.now() - requestedAt < 10_000)
      await new Promise((r) => setTimeout(r, 100));
    expect(pids.filter(alive)).toEqual([]);

    const events = await listEvents(stack, job.id);
    const cancelEvent = events.find((e) => e.type === 'control.cancel_requested');
    expect(cancelEvent?.payload.actor).toBeTruthy();
    expect(events.some((e) => e.type.startsWith('moonmind.task.publish'))).toBe(false);
    expect(await remote.branches('octo/cancel')).toEqual(['main']);
    expect((await listArtifacts(stack, job.id)).map((a) => a.name)).toContain('logs/prepare.log');
    const again = await stack.api(`/api/queue/jobs/${job.id}/cancel`, { method: 'POST', json: {} });
    expect(again.status).toBe(409);
  });

  it('ends a queued run at once without starting it', async () => {
    const job = await submitJob(stack, {
      repository: 'octo/cancel',
      task: { instructions: 'x', publish: { mode: 'pr' } },
    });
    await waitForJob(stack, job.id, (j) => !!j.waitingReason);
    expect((await stack.api(`/api/queue/jobs/${job.id}/cancel`, { method: 'POST', json: {} })).status).toBe(
      200,
    );
    const done = await waitForStatus(stack, job.id, ['cancelled'], 30_000);
    expect(done.startedAt).toBeNull();
    expect((await listEvents(stack, job.id)).some((e) => e.type === 'moonmind.task.prepare.started')).toBe(
      false,
    );
  });
});
