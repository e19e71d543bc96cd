import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchAttributes } from '../../contracts/search-attributes.ts';
import { waitFor } from '../../scripts/ports.ts';
import {
  controlSignal,
  controlVerdictQuery,
  hostLostSignal,
  poolsChangedSignal,
} from '../../workflows/messages.ts';
import { runResult } from '../support/temporal.ts';
import { type CapabilityDouble, gatedStep, startCapabilityDouble } from './capability-worker-double.ts';
import {
  activitySummaries,
  events,
  indexedStatus,
  registerPool,
  saveHistory,
  startRun,
  startWorkflowEnv,
  state,
  unique,
  waitForEvent,
  waitForState,
} from './harness.ts';
import { readHistories, recordedDir } from './histories.ts';

/**
 * The `taskRun` workflow on the real Temporal dev server and PostgreSQL, with the control worker under
 * test and a test double of the capability worker (capability-worker-double.ts) serving pools and hosts.
 */
let env: Awaited<ReturnType<typeof startWorkflowEnv>>;
const doubles: CapabilityDouble[] = [];

beforeAll(async () => {
  env = await startWorkflowEnv();
});
afterAll(async () => {
  await Promise.all(doubles.map((d) => d.stop()));
  await env?.stop();
});

async function servedPool(options: {
  capabilities?: string[];
  hosts?: string[];
  behaviour?: Parameters<typeof startCapabilityDouble>[0]['behaviour'];
}) {
  const pool = unique('pool');
  const repository = `acme/${unique('repo')}`;
  await registerPool(env.sql, {
    pool,
    capabilities: options.capabilities ?? ['codex', 'git', 'gh'],
    repositories: [repository],
  });
  const double = await startCapabilityDouble({
    connection: env.native,
    namespace: env.namespace,
    pool,
    hosts: options.hosts ?? [unique('host')],
    behaviour: options.behaviour,
  });
  doubles.push(double);
  return { pool, repository, double };
}

const twoSteps = (repository: string, publish = 'pr') => ({
  repository,
  task: {
    instructions: 'Implement the feature',
    publish: { mode: publish },
    steps: [
      { id: 'code', title: 'Write code' },
      { id: 'tests', title: 'Write tests' },
    ],
  },
});

describe('taskRun', () => {
  it('waits queued with a reason naming what is missing, then runs once a matching pool polls', async () => {
    const pool = unique('pool');
    const owner = unique('owner');
    const repository = `${owner}/Widgets`;
    const { jobId, handle } = await startRun(env.client, { payload: twoSteps(repository) });

    let s = await waitForState(handle, 'queued without pool', (x) => x.waitingReason !== null);
    expect(s.status).toBe('queued');
    expect(s.waitingReason).toContain(`no worker pool is registered for task jobs on ${repository}`);
    expect(await indexedStatus(handle)).toBe('queued');

    await registerPool(env.sql, {
      pool,
      capabilities: ['codex', 'git'],
      repositories: [`${owner.toUpperCase()}/*`],
    });
    await handle.signal(poolsChangedSignal);
    s = await waitForState(
      handle,
      'missing gh',
      (x) => x.waitingReason?.startsWith('no worker serves') ?? false,
    );
    expect(s.waitingReason).toBe(`no worker serves gh for ${repository}`);
    // Lists read the waiting reason from the memo the run upserts, without querying it.
    const listMemo = async () => (await handle.describe()).memo?.list as Record<string, unknown> | undefined;
    await waitFor(
      'the memo to carry the reason',
      async () => (await listMemo())?.waitingReason === s.waitingReason,
      10_000,
      200,
    );
    expect(await listMemo()).toMatchObject({ stage: null, startedAt: null });

    await registerPool(env.sql, {
      pool,
      capabilities: ['codex', 'git', 'gh'],
      repositories: [`${owner.toUpperCase()}/*`],
    });
    await handle.signal(poolsChangedSignal);
    s = await waitForState(handle, 'not polling', (x) => x.waitingReason?.includes('polling') ?? false);
    expect(s.waitingReason).toBe(
      `worker pool ${pool} is registered for ${repository} but no worker is polling`,
    );
    expect(s.status).toBe('queued');

    const host = unique('host');
    const double = await startCapabilityDouble({
      connection: env.native,
      namespace: env.namespace,
      pool,
      hosts: [host],
    });
    doubles.push(double);
    await handle.signal(poolsChangedSignal);

    const result = await handle.result();
    expect(result).toEqual({
      status: 'succeeded',
      branch: `task/${jobId.slice(0, 8)}`,
      prUrl: 'https://forge.test/acme/repo/pull/1',
      error: null,
      attempt: 1,
      host,
      startedAt: expect.any(String),
      finishedAt: expect.any(String),
    });
    expect(double.callsOf(jobId).map((c) => c.activity)).toEqual([
      'prepare',
      'executeStep',
      'executeStep',
      'finishExecute',
      'publish',
      'releaseHost',
    ]);
    expect(double.callsOf(jobId, 'executeStep').every((c) => c.host === host)).toBe(true);
    expect(await indexedStatus(handle)).toBe('succeeded');
    const final = await state(handle);
    expect(final).toMatchObject({ status: 'succeeded', attempt: 1, host, waitingReason: null });
    expect(final.finishedAt).not.toBeNull();
    expect(await listMemo()).toEqual({
      stage: 'moonmind.task.publish',
      waitingReason: null,
      startedAt: final.startedAt,
      finishedAt: final.finishedAt,
      branch: result.branch,
      prUrl: result.prUrl,
      error: null,
    });

    const evs = await events(env.sql, jobId);
    expect(evs.filter((e) => e.type === 'run.queued').map((e) => e.payload.reason)).toEqual([
      `no worker pool is registered for task jobs on ${repository} (needs codex+gh+git)`,
      `no worker serves gh for ${repository}`,
      `worker pool ${pool} is registered for ${repository} but no worker is polling`,
    ]);
    expect(evs.map((e) => e.type)).toContain('run.attempt.started');
    expect(evs.at(-1)?.type).toBe('run.finished');
    // The Temporal Web UI shows each activity's summary on the timeline.
    expect(await activitySummaries(handle)).toEqual([
      `prepare ${repository}`,
      'step 1/2: Write code',
      'step 2/2: Write tests',
      'finish execute',
      'publish pr',
      'release host',
    ]);
    await saveHistory(handle, 'queued-then-succeeded');
  });

  it('continues as new while queued for long, keeping pause, messages and request ids', async () => {
    const pool = unique('pool');
    const repository = `${unique('owner')}/app`;
    const { jobId, handle } = await startRun(
      env.client,
      { payload: twoSteps(repository, 'none') },
      { queuedHistoryLimit: 15 },
    );
    const firstRunId = (await handle.describe()).runId;
    await handle.signal(controlSignal, { requestId: 'p9', actor: 'dan', action: 'pause' });
    await handle.signal(controlSignal, { requestId: 'm9', actor: 'dan', action: 'message', message: 'hi' });
    // Each poolsChanged adds a re-check to the history: a few of them pass the lowered limit.
    for (let i = 0; i < 5; i++) await handle.signal(poolsChangedSignal);
    await waitFor('continue-as-new', async () => (await handle.describe()).runId !== firstRunId, 30_000, 300);

    const desc = await handle.describe();
    expect(await desc.memo).toMatchObject({ title: 'Implement the feature' });
    expect(desc.typedSearchAttributes.get(searchAttributes.status)).toBe('awaiting_action');
    expect(await state(handle)).toMatchObject({
      paused: true,
      pendingMessages: 1,
      status: 'awaiting_action',
    });
    await handle.signal(controlSignal, { requestId: 'p9', actor: 'dan', action: 'pause' });

    await registerPool(env.sql, { pool, capabilities: ['codex', 'git'], repositories: [repository] });
    const double = await startCapabilityDouble({
      connection: env.native,
      namespace: env.namespace,
      pool,
      hosts: [unique('host')],
    });
    doubles.push(double);
    await handle.signal(poolsChangedSignal);
    await waitForEvent(env.sql, jobId, 'run.paused');
    await handle.signal(controlSignal, { requestId: 'r9', actor: 'dan', action: 'resume' });
    expect((await handle.result()).status).toBe('succeeded');

    const steps = double.callsOf(jobId, 'executeStep').map((c) => c.input as { operatorMessages: unknown[] });
    expect(steps[0].operatorMessages).toEqual([expect.objectContaining({ requestId: 'm9', message: 'hi' })]);
    const evs = await events(env.sql, jobId);
    expect(evs.filter((e) => e.type === 'control.paused')).toHaveLength(1);
    expect(evs.filter((e) => e.type === 'run.queued')).toHaveLength(1);
  });

  it('cancels a queued run at once without preparing it', async () => {
    const { repository, double } = await servedPool({ capabilities: ['claude', 'git'] });
    const { jobId, handle } = await startRun(env.client, { payload: twoSteps(repository) });
    await waitForState(handle, 'queued', (x) => x.waitingReason !== null);

    await handle.signal(controlSignal, {
      requestId: 'c1',
      actor: 'alice',
      action: 'cancel',
      reason: 'not needed',
    });
    expect(await runResult(handle)).toEqual({
      status: 'cancelled',
      branch: null,
      prUrl: null,
      error: null,
      attempt: 1,
      host: null,
      startedAt: null,
      finishedAt: expect.any(String),
    });
    expect(double.callsOf(jobId)).toEqual([]);
    expect(await indexedStatus(handle)).toBe('cancelled');
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    const cancel = (await events(env.sql, jobId)).find((e) => e.type === 'control.cancel_requested');
    expect(cancel?.payload).toMatchObject({ actor: 'alice', requestId: 'c1', reason: 'not needed' });
    await saveHistory(handle, 'cancel-queued');
  });

  it('treats a cancel from Temporal itself as a cancel by actor "temporal"', async () => {
    const { jobId, handle } = await startRun(env.client, { payload: twoSteps(`acme/${unique('nobody')}`) });
    await waitForState(handle, 'queued', (x) => x.waitingReason !== null);
    await handle.cancel();
    const err = await handle.result().catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect((await state(handle)).status).toBe('cancelled');
    const cancel = (await events(env.sql, jobId)).find((e) => e.type === 'control.cancel_requested');
    expect(cancel?.payload).toMatchObject({ actor: 'temporal' });
  });

  it('pauses between steps, ignores repeated request ids, and hands operator messages to the next step', async () => {
    const first = gatedStep();
    const { repository, double } = await servedPool({
      behaviour: {
        executeStep: (input) =>
          input.stepIndex === 0 ? first.run() : Promise.resolve({ exitCode: 0, summary: null }),
      },
    });
    const { jobId, handle } = await startRun(env.client, { payload: twoSteps(repository, 'branch') });
    await first.started;

    const pause = { requestId: 'p1', actor: 'bob', action: 'pause' as const };
    await handle.signal(controlSignal, pause);
    await handle.signal(controlSignal, pause);
    await handle.signal(controlSignal, {
      requestId: 'm1',
      actor: 'bob',
      action: 'message',
      message: 'use pnpm',
    });
    // The step is still running: the pause is pending until the run reaches its next safe point.
    let s = await waitForState(handle, 'pausing', (x) => x.paused && x.pendingMessages === 1);
    expect(s).toMatchObject({
      status: 'running',
      pausing: true,
      pauseMode: 'soft',
      stepIndex: 0,
      stepCount: 2,
    });
    expect(await indexedStatus(handle)).toBe('running');
    const details = async () =>
      (await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata')).currentDetails;
    expect(await details()).toContain('pausing after this step');

    first.release();
    await waitForEvent(env.sql, jobId, 'run.paused');
    s = await waitForState(handle, 'paused', (x) => !x.pausing);
    expect(s).toMatchObject({ status: 'awaiting_action', paused: true, pauseMode: 'soft' });
    expect(await indexedStatus(handle)).toBe('awaiting_action');
    expect(await details()).toContain('paused (soft)');
    expect(double.callsOf(jobId, 'executeStep')).toHaveLength(1);

    const resume = { requestId: 'r1', actor: 'bob', action: 'resume' as const };
    await handle.signal(controlSignal, resume);
    await handle.signal(controlSignal, resume);
    expect((await handle.result()).status).toBe('succeeded');

    // The message went to the running step's inbox at once, and the next step's prompt carries it too.
    expect(double.callsOf(jobId, 'steerStep').map((c) => c.input)).toEqual([
      expect.objectContaining({
        action: 'messages',
        messages: [expect.objectContaining({ requestId: 'm1' })],
      }),
    ]);
    const steps = double.callsOf(jobId, 'executeStep').map((c) => c.input as { operatorMessages: unknown[] });
    expect(steps[0].operatorMessages).toEqual([]);
    expect(steps[1].operatorMessages).toEqual([
      expect.objectContaining({ requestId: 'm1', actor: 'bob', message: 'use pnpm' }),
    ]);
    s = await state(handle);
    expect(s).toMatchObject({ paused: false, pendingMessages: 0, status: 'succeeded' });
    const types = (await events(env.sql, jobId)).map((e) => e.type);
    expect(types.filter((t) => t === 'control.paused')).toHaveLength(1);
    expect(types.filter((t) => t === 'control.resumed')).toHaveLength(1);
    expect(types.filter((t) => t === 'control.operator_message')).toHaveLength(1);
    await saveHistory(handle, 'pause-states');
  });

  it('a hard pause and its resume are pushed to the running step on its host, and nowhere else', async () => {
    const step = gatedStep();
    const { repository, double } = await servedPool({ behaviour: { executeStep: () => step.run() } });
    const { jobId, handle } = await startRun(env.client, {
      payload: { repository, task: { instructions: 'x', publish: { mode: 'none' } } },
    });
    await step.started;
    const host = double.callsOf(jobId, 'executeStep')[0].host;
    // "Pause now" over a pending soft pause: paused at once, the step's processes stopped.
    await handle.signal(controlSignal, { requestId: 's1', actor: 'ann', action: 'pause' });
    expect(await waitForState(handle, 'pausing', (x) => x.pausing)).toMatchObject({ status: 'running' });
    await handle.signal(controlSignal, { requestId: 'h1', actor: 'ann', action: 'pause', mode: 'hard' });
    expect(await waitForState(handle, 'paused now', (x) => x.pauseMode === 'hard')).toMatchObject({
      status: 'awaiting_action',
      pausing: false,
    });
    await handle.signal(controlSignal, { requestId: 'h2', actor: 'ann', action: 'resume' });
    await waitFor('steered twice', async () => double.callsOf(jobId, 'steerStep').length === 2, 10_000, 50);
    step.release();
    expect((await handle.result()).status).toBe('succeeded');
    const steered = double.callsOf(jobId, 'steerStep');
    expect(steered.map((c) => [(c.input as { action: string }).action, c.host])).toEqual([
      ['suspend', host],
      ['resume', host],
    ]);
    // Not while no step runs: a hard pause between steps is taken at the next safe point.
    await saveHistory(handle, 'pause-now');
  });

  it('takeover pauses the run and is cleared by resume; controls that make no sense are recorded as ignored', async () => {
    const step = gatedStep();
    const { repository } = await servedPool({ behaviour: { executeStep: () => step.run() } });
    const { jobId, handle } = await startRun(env.client, {
      payload: { repository, task: { instructions: 'x', publish: { mode: 'none' } } },
    });
    // As the Temporal CLI could send it: a message that is not a string. Recorded as ignored, never a failed task.
    await handle.signal(controlSignal, {
      requestId: 'bad',
      actor: 'eve',
      action: 'message',
      message: 7,
    } as never);
    await handle.signal(controlSignal, { requestId: 'early', actor: 'eve', action: 'takeover' });
    expect(await handle.query(controlVerdictQuery, 'early')).toEqual({
      requestId: 'early',
      action: 'takeover',
      accepted: false,
      reason: 'the run has not started',
    });
    expect(await handle.query(controlVerdictQuery, 'bad')).toMatchObject({ accepted: false });
    await step.started;
    await handle.signal(controlSignal, { requestId: 'r0', actor: 'eve', action: 'resume' });
    await handle.signal(controlSignal, { requestId: 't1', actor: 'eve', action: 'takeover' });
    expect(await handle.query(controlVerdictQuery, 't1')).toMatchObject({ accepted: true, reason: null });
    const s = await waitForState(handle, 'takeover', (x) => x.takeoverRequested);
    // A soft takeover waits for the step like a soft pause does.
    expect(s).toMatchObject({ paused: true, pausing: true, pauseMode: 'soft', status: 'running' });
    step.release();
    await waitForEvent(env.sql, jobId, 'run.paused');
    expect(await state(handle)).toMatchObject({ pausing: false, status: 'awaiting_action' });
    await handle.signal(controlSignal, { requestId: 'r1', actor: 'eve', action: 'resume' });
    expect((await handle.result()).status).toBe('succeeded');
    expect(await state(handle)).toMatchObject({ takeoverRequested: false, paused: false });

    const controls = (await events(env.sql, jobId)).filter((e) => e.type.startsWith('control.'));
    expect(controls.map((e) => [e.type, e.payload.requestId, e.payload.ignored ?? null])).toEqual([
      ['control.rejected', 'bad', expect.stringMatching(/malformed control request: message/)],
      ['control.takeover', 'early', expect.stringMatching(/not started/)],
      ['control.resumed', 'r0', 'the run is not paused'],
      ['control.takeover', 't1', null],
      ['control.resumed', 'r1', null],
    ]);
    await saveHistory(handle, 'takeover-verdicts');
  });

  it('with publish none, finishExecute gives the host back: no releaseHost activity', async () => {
    const { repository, double } = await servedPool({});
    const { jobId, handle } = await startRun(env.client, {
      payload: { repository, task: { instructions: 'x', publish: { mode: 'none' } } },
    });
    expect((await handle.result()).status).toBe('succeeded');
    expect(double.callsOf(jobId).map((c) => c.activity)).toEqual(['prepare', 'executeStep', 'finishExecute']);
    expect(double.callsOf(jobId, 'finishExecute')[0].input).toMatchObject({
      outcome: 'succeeded',
      releaseHost: true,
    });
    expect(await activitySummaries(handle)).toEqual([
      `prepare ${repository}`,
      'step 1/1: step-1',
      'finish execute',
    ]);
    const evs = await events(env.sql, jobId);
    expect(evs.at(-1)?.type).toBe('run.finished');
    await saveHistory(handle, 'publish-none-release-with-finish');
  });

  it('cancels a running step: the activity is cancelled, the host cleaned up, nothing published', async () => {
    const step = gatedStep();
    const { repository, double } = await servedPool({ behaviour: { executeStep: () => step.run() } });
    const { jobId, handle } = await startRun(env.client, { payload: twoSteps(repository) });
    await step.started;
    await handle.signal(controlSignal, { requestId: 'c2', actor: 'carol', action: 'cancel' });
    expect((await runResult(handle)).status).toBe('cancelled');
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    const finish = double
      .callsOf(jobId, 'finishExecute')
      .map((c) => (c.input as { outcome: string }).outcome);
    expect(finish).toEqual(['cancelled']);
    expect(double.callsOf(jobId, 'releaseHost')).toHaveLength(1);
    expect(double.callsOf(jobId, 'publish')).toEqual([]);
    expect(double.callsOf(jobId, 'prepare')).toHaveLength(1);
    await saveHistory(handle, 'cancel-running');
  });

  it('ends failed on a TaskFailure: no further step, no publish, no new attempt', async () => {
    const { repository, double } = await servedPool({
      behaviour: {
        executeStep: async () => {
          throw ApplicationFailure.nonRetryable('tests failed: 3 of 10', 'TaskFailure');
        },
      },
    });
    const { jobId, handle } = await startRun(env.client, { payload: twoSteps(repository) });
    const failure = await handle.result().catch((e) => e);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(failure.cause).toMatchObject({
      type: 'failed',
      message: 'tests failed: 3 of 10',
      nonRetryable: true,
    });
    expect((await handle.describe()).status.name).toBe('FAILED');
    expect(await runResult(handle)).toMatchObject({
      status: 'failed',
      prUrl: null,
      error: 'tests failed: 3 of 10',
      attempt: 1,
    });
    expect(double.callsOf(jobId).map((c) => c.activity)).toEqual([
      'prepare',
      'executeStep',
      'finishExecute',
      'releaseHost',
    ]);
    expect((double.callsOf(jobId, 'finishExecute')[0].input as { outcome: string }).outcome).toBe('failed');
    expect(await indexedStatus(handle)).toBe('failed');
    await saveHistory(handle, 'task-failure');
  });

  it('retries an infrastructure failure as a new attempt and dead-letters when attempts run out', async () => {
    const { repository, double } = await servedPool({
      behaviour: {
        executeStep: async () => {
          throw new Error('workspace disk full');
        },
      },
    });
    const { jobId, handle } = await startRun(env.client, { payload: twoSteps(repository), maxAttempts: 2 });
    const result = await runResult(handle);
    expect(result.status).toBe('dead_letter');
    expect((await handle.describe()).status.name).toBe('FAILED');
    expect(((await handle.result().catch((e) => e)) as WorkflowFailedError).cause).toMatchObject({
      type: 'dead_letter',
      message: 'all 2 attempts failed; last: workspace disk full',
    });
    expect(result.error).toBe('all 2 attempts failed; last: workspace disk full');
    expect(double.callsOf(jobId, 'prepare').map((c) => (c.input as { attempt: number }).attempt)).toEqual([
      1, 2,
    ]);
    expect(double.callsOf(jobId, 'publish')).toEqual([]);
    const failed = (await events(env.sql, jobId)).filter((e) => e.type === 'run.attempt.failed');
    expect(failed.map((e) => e.payload.attempt)).toEqual([1, 2]);
    expect(await indexedStatus(handle)).toBe('dead_letter');
    await saveHistory(handle, 'dead-letter');
  });

  it('moves to another host when the host that prepared the attempt is gone', async () => {
    const live = unique('host');
    const gone = unique('gone');
    const { repository, double } = await servedPool({
      hosts: [live],
      behaviour: { hostFor: (input) => (input.attempt === 1 ? gone : live) },
    });
    const { jobId, handle } = await startRun(env.client, {
      payload: twoSteps(repository, 'none'),
      maxAttempts: 2,
    });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'succeeded', attempt: 2, host: live });
    expect(double.callsOf(jobId, 'executeStep').map((c) => c.host)).toEqual([live, live]);
    expect(double.callsOf(jobId, 'publish')).toEqual([]);
    const failed = (await events(env.sql, jobId)).filter((e) => e.type === 'run.attempt.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].payload).toMatchObject({ attempt: 1, host: gone });
    expect(failed[0].payload.error).toContain('schedule-to-start');
    expect((await state(handle)).attempt).toBe(2);
    await saveHistory(handle, 'dead-host');
  });

  it('fails the attempt at once when its host is reported lost, ignoring reports about other hosts or attempts', async () => {
    const [silent, live] = [unique('silent'), unique('live')];
    const hung = gatedStep(); // heartbeats, but never ends by itself: only hostLost moves the run on
    const { double, repository } = await servedPool({
      hosts: [silent, live],
      behaviour: {
        hostFor: (input) => (input.attempt === 1 ? silent : live),
        executeStep: (input) =>
          input.attempt === 1 ? hung.run() : Promise.resolve({ exitCode: 0, summary: null }),
      },
    });
    const { jobId, handle } = await startRun(env.client, {
      payload: twoSteps(repository, 'none'),
      maxAttempts: 2,
    });
    await hung.started;
    // Not this run's host, not this attempt: nothing happens.
    await handle.signal(hostLostSignal, { hostId: live, reason: 'no ping for 21 s' });
    await handle.signal(hostLostSignal, { hostId: silent, attempt: 2, reason: 'it restarted' });
    expect((await state(handle)).attempt).toBe(1);
    const lostAt = Date.now();
    await handle.signal(hostLostSignal, { hostId: silent, reason: 'no ping for 21 s' });
    const result = await handle.result();
    expect(Date.now() - lostAt).toBeLessThan(5_000); // not the step's 20 s heartbeat timeout
    expect(result).toMatchObject({ status: 'succeeded', attempt: 2, host: live });
    const failed = (await events(env.sql, jobId)).filter((e) => e.type === 'run.attempt.failed');
    expect(failed.map((e) => e.message)).toEqual([
      `attempt 1/2 failed: worker ${silent} lost (no ping for 21 s); retrying`,
    ]);
    expect(double.callsOf(jobId, 'executeStep').map((c) => c.host)).toEqual([silent, live, live]);
    hung.release();
    await saveHistory(handle, 'host-lost');
  });
});

describe('graceful hand-back', () => {
  it('runs the same attempt again when its host hands it back, not counting it as failed', async () => {
    const [stopping, next] = [unique('stopping'), unique('next')];
    const hung = gatedStep(); // the step the stopping worker was running: only the hand-back moves the run on
    let prepares = 0;
    const { double, repository } = await servedPool({
      hosts: [stopping, next],
      behaviour: {
        hostFor: () => (++prepares === 1 ? stopping : next),
        executeStep: (_input, host) =>
          host === stopping ? hung.run() : Promise.resolve({ exitCode: 0, summary: null }),
      },
    });
    const { jobId, handle } = await startRun(env.client, {
      payload: twoSteps(repository, 'none'),
      maxAttempts: 1,
    });
    await hung.started;
    await handle.signal(hostLostSignal, {
      hostId: stopping,
      attempt: 1,
      reason: 'worker stopping',
      handedBack: true,
    });
    // With one attempt allowed, a counted failure would end the run dead_letter.
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'succeeded', attempt: 1, host: next });
    const all = await events(env.sql, jobId);
    expect(all.filter((e) => e.type === 'run.attempt.failed')).toEqual([]);
    expect(all.filter((e) => e.type === 'run.attempt.handed_back').map((e) => e.message)).toEqual([
      `attempt 1 handed back by ${stopping}: worker stopping; it runs again`,
    ]);
    expect(double.callsOf(jobId, 'prepare').map((c) => c.host)).toEqual([stopping, next]);
    expect(double.callsOf(jobId, 'releaseHost').map((c) => c.host)).not.toContain(stopping);
    hung.release();
    await saveHistory(handle, 'handed-back');
  });
});

describe('replay', () => {
  it('replays every history recorded above against the current workflow bundle', async () => {
    const histories = await readHistories(recordedDir);
    expect(histories.length).toBeGreaterThanOrEqual(6);
    const results = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: env.bundle }, histories))
      results.push(r);
    expect(results.filter((r) => r.error).map((r) => `${r.workflowId}: ${r.error}`)).toEqual([]);
    expect(results).toHaveLength(histories.length);
  });
});
