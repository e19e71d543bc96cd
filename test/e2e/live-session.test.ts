import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_SESSION_CAST, type LiveSessionView } from '../../contracts/live-session.ts';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { downloadArtifact, listEvents, submitJob, waitForJob, waitForStatus } from '../support/jobs.ts';
import { openViewer, plain, withoutAgentLines } from '../support/live-viewer.ts';
import { type Stack, startStack } from '../support/stack.ts';

/**
 * Live sessions on the real stack (issue 12): the worker runs the fake agent under a PTY and dials out to the
 * API; the test plays the browsers over the viewer socket.
 */
describe('live terminal sessions', () => {
  let stack: Stack;
  let remote: GitRemote;
  let promptLog: string;
  beforeAll(async () => {
    remote = await createGitRemote(['octo/live']);
    stack = await startStack();
    promptLog = path.join(stack.agentOut, 'prompts.log');
    await stack.startWorker({
      pool: 'live',
      capabilities: ['codex', 'git'],
      env: {
        MOONMIND_GIT_BASE_URL: remote.baseUrl,
        FAKE_AGENT_PROMPT_LOG: promptLog,
        MOONMIND_LIVE_SESSIONS: 'on-demand',
      },
    });
  });
  afterAll(() => stack?.stop());

  const session = async (jobId: string, action = '', json?: unknown) => {
    const res = await stack.api(`/api/queue/jobs/${jobId}/live-session${action}`, {
      method: action || json ? 'POST' : 'GET',
      ...(json !== undefined || action ? { json: json ?? {} } : {}),
    });
    return { status: res.status, view: (await res.json()) as LiveSessionView & { detail?: string } };
  };
  const running = async (instructions: string[]) => {
    const job = await submitJob(stack, {
      repository: 'octo/live',
      task: {
        instructions: 'Live',
        publish: { mode: 'none' },
        steps: instructions.map((i, n) => ({ id: `s${n + 1}`, instructions: i })),
      },
    });
    await waitForJob(stack, job.id, (j) => j.stage === 'moonmind.task.execute' && j.step?.index === 0);
    return job;
  };

  it('streams a running step to viewers, with late attach, a write grant and revoke', async () => {
    const job = await running(['FAKE_SLEEP=30']);
    expect((await session(job.id)).view.state).toBe('DISABLED');
    const created = await session(job.id, '', {});
    expect(created.status).toBe(201);
    expect(['STARTING', 'READY']).toContain(created.view.state);
    // Idempotent: the same session again.
    const again = await session(job.id, '', {});
    expect(again.status).toBe(200);
    expect(again.view.id).toBe(created.view.id);

    const first = await openViewer(stack.apiUrl, job.id, stack.adminToken);
    await first.until((v) => v.view()?.state === 'READY', 20_000, 'READY');
    await first.until((v) => /working \d+/.test(v.text()), 20_000, 'agent output');

    // A viewer that attaches late first receives the screen: from the agent's first line to the newest one the
    // first viewer had seen.
    const newest = Math.max(...[...first.text().matchAll(/working (\d+)/g)].map((m) => Number(m[1])));
    const late = await openViewer(stack.apiUrl, job.id, stack.adminToken);
    await late.until((v) => v.frames.some((f) => f.t === 'screen'), 10_000, 'screen');
    const screen = late.frames.find((f) => f.t === 'screen');
    const painted = screen?.t === 'screen' ? plain(screen.d) : '';
    expect(painted).toContain('{"type":"thread.started"');
    expect(painted).toContain(`"text":"working ${newest}"`);
    await late.until((v) => (v.view()?.viewers.length ?? 0) >= 2, 10_000, 'two viewers');

    // Without a grant, input is refused.
    first.send({ t: 'in', d: 'echo refused-before-grant\r' });
    await first.until((v) => v.frames.some((f) => f.t === 'error'), 10_000, 'refusal');
    expect(withoutAgentLines(first.text())).not.toContain('refused-before-grant');

    const grant = await session(job.id, '/grant-write', { minutes: 1 });
    expect(grant.status).toBe(200);
    expect(grant.view.write?.holder).toBeTruthy();
    expect(Date.parse(grant.view.write!.expiresAt) - Date.now()).toBeGreaterThan(30_000);
    first.send({ t: 'in', d: 'echo typed-by-operator\r' });
    // The terminal echoes it, to every viewer.
    await late.until((v) => withoutAgentLines(v.text()).includes('typed-by-operator'), 10_000, 'echo');

    // The grant runs out (moved into the past rather than waiting a minute): the sweep ends it, input is refused.
    await stack.db
      .sql`UPDATE live_sessions SET write_expires_at = now() - interval '1 second' WHERE id = ${created.view.id}`;
    await first.until((v) => v.view()?.write === null, 15_000, 'the grant to expire');
    const refusals = first.frames.filter((f) => f.t === 'error').length;
    first.send({ t: 'in', d: 'echo after-expiry\r' });
    await first.until((v) => v.frames.filter((f) => f.t === 'error').length > refusals, 10_000, 'refusal');
    expect(withoutAgentLines(late.text())).not.toContain('after-expiry');

    expect((await session(job.id, '/grant-write', {})).view.write).not.toBeNull();
    const revoked = await session(job.id, '/revoke', {});
    expect(revoked.view.write).toBeNull();
    first.send({ t: 'in', d: 'echo after-revoke\r' });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(withoutAgentLines(late.text())).not.toContain('after-revoke');

    const ended = await session(job.id, '/revoke', { session: true });
    expect(ended.view.state).toBe('REVOKED');
    // Viewers stay attached and are told; nothing streams any more.
    await first.until((v) => v.view()?.state === 'REVOKED', 10_000, 'REVOKED pushed to the viewer');
    first.close();
    late.close();
    expect((await waitForStatus(stack, job.id, ['succeeded', 'failed'])).status).toBe('succeeded');

    const events = await listEvents(stack, job.id);
    const audited = events.filter((e) => e.type.startsWith('live_session.'));
    expect(audited.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'live_session.created',
        'live_session.ready',
        'live_session.write_granted',
        'live_session.write_expired',
        'live_session.write_revoked',
      ]),
    );
    for (const e of audited.filter((e) => e.type !== 'live_session.ready'))
      expect(JSON.stringify(e.payload)).toContain('actor');

    // The recording: asciicast v2 with the operator's input marked and attributed.
    const cast = (await downloadArtifact(stack, job.id, LIVE_SESSION_CAST)).trim().split('\n');
    expect(JSON.parse(cast[0])).toMatchObject({ version: 2 });
    const events2 = cast.slice(1).map((l) => JSON.parse(l) as [number, string, string]);
    expect(events2.some(([, k, d]) => k === 'i' && d.includes('typed-by-operator'))).toBe(true);
    expect(events2.some(([, k, d]) => k === 'm' && /granted/.test(d))).toBe(true);
    expect(events2.some(([, k, d]) => k === 'i' && /after-(revoke|expiry)/.test(d))).toBe(false);
  });

  it('takes over: the agent stops, a shell opens in the workspace, and the hand-back reaches the next prompt', async () => {
    const job = await running(['FAKE_SLEEP=8', 'Second step']);
    const taken = await session(job.id, '/takeover', {});
    expect(taken.status).toBe(200);
    expect(taken.view.takeover?.actor).toBeTruthy();
    expect(taken.view.write).not.toBeNull();
    await waitForJob(stack, job.id, (j) => j.status === 'awaiting_action');

    const viewer = await openViewer(stack.apiUrl, job.id, stack.adminToken);
    await viewer.until((v) => v.view()?.takeover?.shellOpen === true, 20_000, 'shell open');
    viewer.send({ t: 'in', d: 'pwd; echo "shell-$((6*7))"\r' });
    await viewer.until((v) => v.text().includes('shell-42'), 10_000, 'shell output');
    expect(viewer.text()).toContain('/repo');

    const summary = 'Operator fixed the flaky import by hand';
    const back = await session(job.id, '/hand-back', { summary });
    expect(back.status).toBe(200);
    expect(back.view.takeover).toBeNull();
    viewer.close();
    expect((await waitForStatus(stack, job.id, ['succeeded', 'failed'])).status).toBe('succeeded');

    const prompts = (await readFile(promptLog, 'utf8')).split('----- end of prompt -----');
    const second = prompts.find((p) => p.includes(job.id.slice(0, 8)) && p.includes('STEP 2/2'));
    expect(second ?? prompts.findLast((p) => p.includes('STEP 2/2'))).toContain(summary);
    const types = (await listEvents(stack, job.id)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['live_session.takeover', 'live_session.hand_back']));
  });

  it('puts the session in ERROR when the relay dies, and the run still succeeds', async () => {
    const job = await running(['FAKE_SLEEP=12']);
    await session(job.id, '', {});
    const viewer = await openViewer(stack.apiUrl, job.id, stack.adminToken);
    await viewer.until((v) => v.view()?.state === 'READY', 20_000, 'READY');
    await stack.stopApi();
    await stack.startApi();
    expect((await waitForStatus(stack, job.id, ['succeeded', 'failed'])).status).toBe('succeeded');
    const after = await session(job.id);
    expect(after.view.state).toBe('ERROR');
    expect(after.view.reason).toBeTruthy();
  });
});
