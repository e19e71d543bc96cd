import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../contracts/job.ts';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { listEvents, submitJob, waitForJob, waitForStatus } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

/** Process state letter from /proc (R, S, T stopped, Z zombie), or null when the process is gone. */
function procState(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0];
  } catch {
    return null;
  }
}
const gone = (pid: number) => ['Z', null].includes(procState(pid));
type Maybe<T> = T | null | undefined | false;
async function until<T>(what: string, check: () => Maybe<T> | Promise<Maybe<T>>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('controls reach the running step at once (real Temporal, PostgreSQL, git, worker)', () => {
  let stack: Stack;
  let remote: GitRemote;
  let pidFile: string;
  beforeAll(async () => {
    remote = await createGitRemote(['acme/steer', 'acme/idle', 'acme/limit']);
    stack = await startStack();
    pidFile = path.join(stack.agentOut, 'steer-pids');
    const base = { capabilities: ['codex', 'git'], concurrency: 4 };
    await stack.startWorker({
      ...base,
      pool: 'steer',
      repositories: ['acme/steer'],
      env: { MOONMIND_GIT_BASE_URL: remote.baseUrl, FAKE_AGENT_PIDS: pidFile },
    });
    await stack.startWorker({
      ...base,
      pool: 'idle',
      repositories: ['acme/idle'],
      env: { MOONMIND_GIT_BASE_URL: remote.baseUrl, MOONMIND_STEP_IDLE_TIMEOUT: '2s' },
    });
    await stack.startWorker({
      ...base,
      pool: 'limit',
      repositories: ['acme/limit'],
      env: { MOONMIND_GIT_BASE_URL: remote.baseUrl, MOONMIND_STEP_TIMEOUT: '3s' },
    });
  });
  afterAll(() => stack?.stop());

  async function startLongRun(instructions: string) {
    await rm(pidFile, { force: true });
    const job = await submitJob(stack, {
      repository: 'acme/steer',
      task: { instructions, publish: { mode: 'none' } },
    });
    const pids = await until('agent pids', async () => {
      const list = (await readFile(pidFile, 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
      return list.length >= 2 ? list : null;
    });
    return { job, pids };
  }
  const control = (job: JobView, json: unknown) =>
    stack.api(`/api/queue/jobs/${job.id}/control`, { method: 'POST', json });

  it('cancel: the agent and a child that ignores SIGINT are gone and the run is cancelled within seconds', async () => {
    const { job, pids } = await startLongRun('FAKE_SPAWN_CHILD FAKE_CHILD_IGNORES_SIGINT FAKE_SLEEP=120');
    const t0 = Date.now();
    const res = await stack.api(`/api/queue/jobs/${job.id}/cancel`, { method: 'POST', json: {} });
    expect(res.status).toBe(200);
    await until('process group gone', () => pids.every(gone), 10_000);
    const done = await waitForStatus(stack, job.id, ['cancelled', 'succeeded', 'failed'], 10_000);
    const ms = Date.now() - t0;
    expect(done.status).toBe('cancelled');
    // The target (p95 ≤ 2 s) is measured by `npm run bench -- controls`; here: seconds, not the old 14–20.
    expect(ms).toBeLessThan(6_000);
  });

  it('hard pause stops the whole group, resume continues it, each pushed to the step at once', async () => {
    const { job, pids } = await startLongRun('FAKE_SPAWN_CHILD FAKE_SLEEP=30');
    const t0 = Date.now();
    const paused = await control(job, { action: 'pause', mode: 'hard' });
    expect(paused.status).toBe(200);
    await until('stopped', () => pids.every((p) => procState(p) === 'T'), 5_000);
    const pauseMs = Date.now() - t0;
    const t1 = Date.now();
    expect((await control(job, { action: 'resume' })).status).toBe(200);
    await until('continued', () => pids.every((p) => !['T', null].includes(procState(p))), 5_000);
    const resumeMs = Date.now() - t1;
    expect(pauseMs).toBeLessThan(3_000);
    expect(resumeMs).toBeLessThan(3_000);
    // The worker reports each after signalling the group, so the process can be seen running first.
    await until('suspended and resumed events', async () => {
      const types = new Set((await listEvents(stack, job.id)).map((e) => e.type));
      return types.has('runtime.suspended') && types.has('runtime.resumed');
    });
    await stack.api(`/api/queue/jobs/${job.id}/cancel`, { method: 'POST', json: {} });
  });

  it('a message sent during the only step reaches its inbox at once, and the event says when', async () => {
    const { job } = await startLongRun('FAKE_SPAWN_CHILD FAKE_WATCH_INBOX FAKE_SLEEP=6');
    const sent = Date.now();
    const res = await stack.api(`/api/queue/jobs/${job.id}/operator-messages`, {
      method: 'POST',
      json: { message: 'use the v2 parser' },
    });
    expect(res.status).toBe(200);
    const { requestId } = await res.json();
    const delivered = await until('delivered event', async () =>
      (await listEvents(stack, job.id)).find((e) => e.type === 'task.operator_message.delivered'),
    );
    expect(delivered.payload).toMatchObject({ requestId, deliveredAt: expect.any(String) });
    expect(Date.parse(delivered.payload.deliveredAt as string) - sent).toBeLessThan(3_000);
    // The agent itself read it from the inbox while its step ran.
    await until('agent read it', async () =>
      (await listEvents(stack, job.id)).some(
        (e) => e.type === 'log' && /inbox: use the v2 parser/.test(e.message),
      ),
    );
    expect((await waitForStatus(stack, job.id, ['succeeded', 'failed', 'cancelled'])).status).toBe(
      'succeeded',
    );
  });

  it('a step with no output for MOONMIND_STEP_IDLE_TIMEOUT fails saying so', async () => {
    const job = await submitJob(stack, {
      repository: 'acme/idle',
      task: { instructions: 'FAKE_SILENT=60', publish: { mode: 'none' } },
    });
    const done = await waitForStatus(
      stack,
      job.id,
      ['succeeded', 'failed', 'dead_letter', 'cancelled'],
      60_000,
    );
    expect(done.status).toBe('failed');
    expect(done.error).toContain('no output for 2 seconds');
    const failed = (await listEvents(stack, job.id)).find((e) => e.type === 'task.step.failed');
    expect(failed?.message).toContain('no output for 2 seconds');
  });

  it('a step past MOONMIND_STEP_TIMEOUT fails saying so, even while it prints', async () => {
    const job = await submitJob(stack, {
      repository: 'acme/limit',
      task: { instructions: 'FAKE_SLEEP=60', publish: { mode: 'none' } },
    });
    const done = await waitForStatus(
      stack,
      job.id,
      ['succeeded', 'failed', 'dead_letter', 'cancelled'],
      60_000,
    );
    expect(done.status).toBe('failed');
    expect(done.error).toContain('ran longer than 3 seconds');
    await waitForJob(stack, job.id, (j) => j.status === 'failed');
  });
});
