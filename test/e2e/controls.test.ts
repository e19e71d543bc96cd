import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findTemporalCli } from '../../scripts/temporal-cli.ts';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { getJob, listEvents, submitJob, waitForJob, waitForStatus } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

describe('pause, resume and operator messages', () => {
  let stack: Stack;
  let remote: GitRemote;
  let promptLog: string;
  beforeAll(async () => {
    remote = await createGitRemote(['octo/controls']);
    stack = await startStack();
    promptLog = path.join(stack.agentOut, 'prompts.log');
    await stack.startWorker({
      pool: 'controls',
      capabilities: ['codex', 'git'],
      env: { MOONMIND_GIT_BASE_URL: remote.baseUrl, FAKE_AGENT_PROMPT_LOG: promptLog },
    });
  });
  afterAll(() => stack?.stop());

  it('pauses between steps, shows awaiting_action, resumes, and delivers the message to the next step', async () => {
    const job = await submitJob(stack, {
      repository: 'octo/controls',
      task: {
        instructions: 'Two steps',
        publish: { mode: 'none' },
        steps: [
          { id: 'one', title: 'First', instructions: 'FAKE_SLEEP=4' },
          { id: 'two', title: 'Second', instructions: 'Finish up' },
        ],
      },
    });
    await waitForJob(stack, job.id, (j) => j.stage === 'moonmind.task.execute' && j.step?.index === 0);
    const control = (action: string) =>
      stack.api(`/api/queue/jobs/${job.id}/control`, { method: 'POST', json: { action } });
    expect((await control('pause')).status).toBe(200);
    const message = await stack.api(`/api/queue/jobs/${job.id}/operator-messages`, {
      method: 'POST',
      json: { message: 'Please also update CHANGELOG.md' },
    });
    expect(message.status).toBe(200);

    const paused = await waitForJob(stack, job.id, (j) => j.status === 'awaiting_action');
    expect(paused.paused).toBe(true);
    // Paused at the safe point after step 1: step 2 has not started.
    await new Promise((r) => setTimeout(r, 6000));
    const stillPaused = await getJob(stack, job.id);
    expect(stillPaused.status).toBe('awaiting_action');
    expect((await listEvents(stack, job.id)).filter((e) => e.type === 'task.step.started')).toHaveLength(1);
    expect((await control('pause')).status).toBe(409);

    expect((await control('resume')).status).toBe(200);
    const done = await waitForStatus(stack, job.id, ['succeeded', 'failed', 'dead_letter']);
    expect(done.status).toBe('succeeded');

    const prompts = (await readFile(promptLog, 'utf8')).split('----- end of prompt -----');
    const second = prompts.find((p) => p.includes('STEP 2/2'));
    expect(second).toContain('Please also update CHANGELOG.md');
    expect(prompts.find((p) => p.includes('STEP 1/2'))).not.toContain('CHANGELOG');

    const types = (await listEvents(stack, job.id)).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['control.paused', 'control.resumed', 'control.operator_message']),
    );
    expect((await control('resume')).status).toBe(409);
  });

  it('reacts the same to the control signal sent with the Temporal CLI', async () => {
    const cli = (await findTemporalCli(() => {})).path;
    const temporal = (...args: string[]) =>
      promisify(execFile)(cli, [
        ...args,
        '--address',
        inject('temporalAddress'),
        '--namespace',
        stack.namespace,
      ]);
    const job = await submitJob(stack, {
      repository: 'octo/controls',
      task: {
        instructions: 'Two steps',
        publish: { mode: 'none' },
        steps: [{ instructions: 'FAKE_SLEEP=3' }, { instructions: 'Second' }],
      },
    });
    await waitForJob(stack, job.id, (j) => j.stage === 'moonmind.task.execute');
    const signal = (requestId: string, action: string) =>
      temporal(
        'workflow',
        'signal',
        '--workflow-id',
        `job-${job.id}`,
        '--name',
        'control',
        '--input',
        JSON.stringify({ requestId, actor: 'engineer@cli', action }),
      );
    await signal('cli-pause-1', 'pause');
    await signal('cli-pause-1', 'pause'); // a duplicate request id is ignored
    await waitForJob(stack, job.id, (j) => j.status === 'awaiting_action');
    const { stdout } = await temporal(
      'workflow',
      'query',
      '--workflow-id',
      `job-${job.id}`,
      '--name',
      'state',
      '--output',
      'json',
    );
    expect(stdout).toMatch(/"paused":\s*true/);
    await signal('cli-resume-1', 'resume');
    await waitForStatus(stack, job.id, 'succeeded');
    const controls = (await listEvents(stack, job.id)).filter((e) => e.type.startsWith('control.'));
    expect(controls.map((e) => [e.type, e.payload.actor])).toEqual([
      ['control.paused', 'engineer@cli'],
      ['control.resumed', 'engineer@cli'],
    ]);
  });
});
