import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerToken } from '../../api/auth/bootstrap.ts';
import { until } from '../api/harness.ts';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { listEvents, submitJob, waitForJob, waitForStatus } from '../support/jobs.ts';
import { hello, openSocket, type TestSocket } from '../support/live-socket.ts';
import { type Stack, startStack } from '../support/stack.ts';

/**
 * Takeover and hand-back on a real run: the capability worker runs the steps; a test socket plays the
 * worker's live-session side (its PTY streaming is another component), so what is checked is the API's
 * part: the hard pause, the grant, the shell frames, the summary in the next step's prompt, the resume.
 */
describe('live-session takeover and hand-back', () => {
  let stack: Stack;
  let remote: GitRemote;
  let promptLog: string;
  let socket: TestSocket | undefined;
  beforeAll(async () => {
    remote = await createGitRemote(['octo/takeover']);
    stack = await startStack();
    promptLog = path.join(stack.agentOut, 'prompts.log');
    await stack.startWorker({
      pool: 'takeover',
      capabilities: ['codex', 'git'],
      env: { MOONMIND_GIT_BASE_URL: remote.baseUrl, FAKE_AGENT_PROMPT_LOG: promptLog },
    });
  });
  afterAll(async () => {
    await socket?.close().catch(() => {});
    await stack?.stop();
  });

  it('pauses the run hard, opens a shell for the operator, and hands the summary to the next step', async () => {
    const job = await submitJob(stack, {
      repository: 'octo/takeover',
      task: {
        instructions: 'Two steps',
        publish: { mode: 'none' },
        steps: [
          { id: 'one', title: 'First', instructions: 'FAKE_SLEEP=6' },
          { id: 'two', title: 'Second', instructions: 'Finish up' },
        ],
      },
    });
    await waitForJob(stack, job.id, (j) => j.stage === 'moonmind.task.execute' && j.step?.index === 0);
    const token = await createWorkerToken(stack.db.sql, {
      name: 'live-test',
      jobTypes: ['task'],
      repositories: ['octo/*'],
      capabilities: ['*'],
    });
    socket = await openSocket(`${stack.apiUrl}/api/worker/jobs/${job.id}/live-session/socket`, token);
    socket.send(hello({ hostId: 'host-takeover' }));
    const live = (action: string, json: unknown) =>
      stack.api(`/api/queue/jobs/${job.id}/live-session${action}`, { method: 'POST', json });

    const noTakeover = await live('/hand-back', { summary: 'x' });
    expect(noTakeover.status).toBe(409);
    const taken = await live('/takeover', { minutes: 10 });
    expect(taken.status).toBe(200);
    const view = await taken.json();
    const actor = view.takeover.actor as string;
    expect(view.write.holder).toBe(actor);
    // The grant and the shell reach the step's terminal once it streams.
    const { sessionId } = await socket.next((f) => f.t === 'start', 'start');
    socket.send({ t: 'ready', sessionId });
    expect(await socket.next((f) => f.t === 'grant', 'grant')).toMatchObject({ actor });
    expect(await socket.next((f) => f.t === 'shell', 'shell open')).toEqual({
      t: 'shell',
      open: true,
      actor,
    });
    socket.send({ t: 'shell', open: true });
    await until('shell open', async () => {
      const res = await stack.api(`/api/queue/jobs/${job.id}/live-session`);
      return (await res.json()).takeover?.shellOpen === true;
    });
    await waitForJob(stack, job.id, (j) => j.paused && j.live?.pauseMode === 'hard');

    const back = await live('/hand-back', { summary: 'Rebased the branch onto main by hand' });
    expect(back.status).toBe(200);
    expect(await back.json()).toMatchObject({ takeover: null, write: null, state: 'READY' });
    expect(await socket.next((f) => f.t === 'shell', 'shell close')).toEqual({ t: 'shell', open: false });
    await socket.close(1000);

    const done = await waitForStatus(stack, job.id, ['succeeded', 'failed', 'dead_letter']);
    expect(done.status).toBe('succeeded');
    const prompts = (await readFile(promptLog, 'utf8')).split('----- end of prompt -----');
    expect(prompts.find((p) => p.includes('STEP 2/2'))).toContain(
      `Operator takeover summary from ${actor}: Rebased the branch onto main by hand`,
    );
    // The sweep ends the session once it sees the run finished.
    const types = await until('the session ended', async () => {
      const seen = (await listEvents(stack, job.id)).map((e) => e.type);
      return seen.includes('live_session.ended') ? seen : null;
    });
    expect(types).toEqual(
      expect.arrayContaining([
        'live_session.created',
        'live_session.ready',
        'live_session.takeover',
        'live_session.write_granted',
        'live_session.hand_back',
      ]),
    );
  });
});
