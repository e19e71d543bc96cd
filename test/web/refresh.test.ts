import { describe, expect, it } from 'vitest';
import { allowedActions } from '../../contracts/controls.ts';
import type { JobEvent } from '../../contracts/events.ts';
import type { JobView } from '../../contracts/job.ts';
import { controlStateOf, statusDetailOf } from '../../contracts/job.ts';
import { statusLabel } from '../../contracts/status.ts';
import { applyEvent, patchFor } from '../../web/src/lib/job-patch.ts';
import { createCoalescer, createRefresher, staleAfter } from '../../web/src/lib/refresh.ts';

let id = 0;
const ev = (type: string, payload: Record<string, unknown> = {}): JobEvent => ({
  id: ++id,
  jobId: 'j',
  createdAt: '2026-11-29T10:00:00.000Z',
  level: 'info',
  type,
  message: type,
  payload,
});

/** A request the test answers by hand, so it decides when each fetch ends. */
function manualFetches() {
  const open: (() => void)[] = [];
  let started = 0;
  const fetch = () =>
    new Promise<void>((resolve) => {
      started++;
      open.push(resolve);
    });
  const settle = async () => {
    open.shift()?.();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { fetch, settle, started: () => started, open: () => open.length };
}

describe('which events refresh what', () => {
  const kinds = (type: string, payload?: Record<string, unknown>) => {
    const s = staleAfter(ev(type, payload));
    return [s.job && 'job', s.artifacts && 'artifacts'].filter(Boolean);
  };
  it('refreshes the view on stage, step, control and run events', () => {
    for (const type of [
      'moonmind.task.prepare.started',
      'moonmind.task.execute.started',
      'task.step.started',
      'control.paused',
      'control.resumed',
      'control.cancel_requested',
      'control.takeover',
      'run.queued',
      'run.attempt.started',
      'run.paused',
    ])
      expect([type, kinds(type)]).toEqual([type, ['job']]);
  });
  it('refreshes the artifacts too when an activity ended (its uploads) or the run did', () => {
    for (const type of [
      'task.step.finished',
      'task.step.failed',
      'moonmind.task.prepare.finished',
      'moonmind.task.execute.failed',
      'moonmind.task.publish.finished',
      'run.attempt.failed',
      'run.finished',
    ])
      expect([type, kinds(type)]).toEqual([type, ['job', 'artifacts']]);
    for (const type of [
      'task.publish.pushed',
      'task.publish.pr',
      'task.publish.skipped',
      'artifact.upload_failed',
    ])
      expect([type, kinds(type)]).toEqual([type, ['artifacts']]);
  });
  it('asks again for the artifacts of an activity that ended, once its uploads have settled', () => {
    const uploading = (type: string) => staleAfter(ev(type)).uploading;
    expect(['task.step.finished', 'moonmind.task.publish.failed', 'task.publish.pr'].map(uploading)).toEqual([
      true,
      true,
      true,
    ]);
    expect(['run.finished', 'artifact.upload_failed', 'task.step.started'].map(uploading)).toEqual([
      false,
      false,
      false,
    ]);
  });
  it('ignores log lines, plans, operator messages and ignored control requests', () => {
    expect(kinds('log', { kind: 'log' })).toEqual([]);
    expect(kinds('task.steps.plan')).toEqual([]);
    expect(kinds('task.defaults.resolved')).toEqual([]);
    expect(kinds('control.operator_message')).toEqual([]);
    expect(kinds('control.paused', { ignored: 'the run is already paused' })).toEqual([]);
    expect(kinds('control.rejected')).toEqual([]);
  });
});

describe('coalesced refreshes', () => {
  it('runs once for one request, and one more for any number of requests made meanwhile', async () => {
    const f = manualFetches();
    const c = createCoalescer(f.fetch);
    c.request();
    expect(f.started()).toBe(1);
    for (let i = 0; i < 50; i++) c.request();
    expect(f.started()).toBe(1);
    await f.settle();
    expect(f.started()).toBe(2);
    await f.settle();
    expect([f.started(), c.busy()]).toEqual([2, false]);
    c.request();
    expect(f.started()).toBe(3);
  });
  it('keeps going after a failed run', async () => {
    let calls = 0;
    const c = createCoalescer(async () => {
      calls++;
      throw new Error('down');
    });
    c.request();
    c.request();
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toBe(2);
    expect(c.busy()).toBe(false);
  });
  it('turns a burst of event batches into at most two fetches per kind, then one when uploads settle', async () => {
    const job = manualFetches();
    const artifacts = manualFetches();
    const r = createRefresher({ job: job.fetch, artifacts: artifacts.fetch }, 30);
    // A log flood: nothing to fetch.
    r.events(Array.from({ length: 1000 }, () => ev('log', { kind: 'log' })));
    expect([job.started(), artifacts.started()]).toEqual([0, 0]);
    // A step ends, the stage ends, the run ends: frame after frame while the first fetch is out.
    r.events([ev('task.step.finished', { stepIndex: 0 }), ev('log')]);
    r.events([ev('moonmind.task.execute.finished')]);
    r.events([ev('moonmind.task.publish.started'), ev('moonmind.task.publish.finished')]);
    expect([job.started(), artifacts.started()]).toEqual([1, 1]);
    await job.settle();
    await artifacts.settle();
    expect([job.started(), artifacts.started()]).toEqual([2, 2]);
    await job.settle();
    await artifacts.settle();
    expect([job.started(), artifacts.started(), job.open(), artifacts.open()]).toEqual([2, 2, 0, 0]);
    // The activities' uploads ran alongside their last events: the list is asked for once more.
    await new Promise((r) => setTimeout(r, 60));
    expect([job.started(), artifacts.started()]).toEqual([2, 3]);
    await artifacts.settle();
    // The run's end comes after every upload: one more of each, no settling.
    r.events([ev('moonmind.task.publish.finished'), ev('run.finished', { status: 'succeeded' })]);
    await job.settle();
    await artifacts.settle();
    await new Promise((r) => setTimeout(r, 60));
    expect([job.started(), artifacts.started(), artifacts.open()]).toEqual([3, 4, 0]);
    r.dispose();
  });
  it('does nothing after it is disposed', async () => {
    const job = manualFetches();
    const r = createRefresher({ job: job.fetch, artifacts: job.fetch });
    r.job();
    r.job();
    r.dispose();
    await job.settle();
    r.job();
    expect(job.started()).toBe(1);
  });
});

describe('events applied to the view before the refetch', () => {
  const view: JobView = {
    id: 'j',
    type: 'task',
    status: 'running',
    title: 't',
    stage: 'moonmind.task.execute',
    step: { index: 0, count: 2, id: 'a', title: null },
    attempt: 1,
    maxAttempts: 3,
    worker: 'h1',
    priority: 0,
    affinityKey: null,
    repository: 'octo/web',
    runtime: 'codex',
    skill: 'auto',
    publishMode: 'none',
    createdAt: '2026-11-29T09:59:00.000Z',
    startedAt: '2026-11-29T09:59:01.000Z',
    finishedAt: null,
    cancelRequestedAt: null,
    waitingReason: null,
    paused: false,
    branch: null,
    prUrl: null,
    error: null,
    submittedBy: { id: 'u', name: 'admin' },
    payload: {} as JobView['payload'],
    temporal: { workflowId: 'job-j', runId: null, url: 'http://t' },
  };
  const buttons = (v: JobView) => allowedActions(controlStateOf(v));

  it('pauses, resumes and takes over: badge and buttons follow at once', () => {
    const paused = applyEvent(view, ev('control.paused', { actor: 'admin' }));
    expect([paused.status, paused.paused, paused.live?.pauseMode]).toEqual(['awaiting_action', true, 'soft']);
    expect(buttons(paused).pause).toBe('the run is already paused');
    expect(buttons(paused).resume).toBeNull();
    const resumed = applyEvent(paused, ev('control.resumed'));
    expect([resumed.status, resumed.paused]).toEqual(['running', false]);
    expect(buttons(resumed).resume).toBe('the run is not paused');
    const taken = applyEvent(view, ev('control.takeover', { mode: 'hard' }));
    expect([taken.status, taken.live?.pauseMode, taken.live?.takeoverRequested]).toEqual([
      'awaiting_action',
      'hard',
      true,
    ]);
    expect(patchFor(view, ev('control.paused', { ignored: 'no' }))).toBeNull();
  });
  it('a pause accepted while a step runs is pending (still running) until the run says it paused', () => {
    const pausing = applyEvent(view, ev('control.paused', { actor: 'admin', pausing: true }));
    expect([pausing.status, pausing.paused, pausing.live?.pausing]).toEqual(['running', true, true]);
    expect(statusLabel(pausing.status, statusDetailOf(pausing))).toBe('pausing after this step');
    expect(buttons(pausing).pause).toBe('a pause is already pending (after this step)');
    const paused = applyEvent(pausing, ev('run.paused', { before: 'step 2/2' }));
    expect([paused.status, paused.live?.pausing]).toEqual(['awaiting_action', false]);
    expect(statusLabel(paused.status, statusDetailOf(paused))).toBe('paused');
    expect(patchFor(view, ev('run.paused'))).toBeNull();
  });
  it('marks a cancel request with the time of its event', () => {
    const v = applyEvent(view, ev('control.cancel_requested'));
    expect(v.cancelRequestedAt).toBe('2026-11-29T10:00:00.000Z');
    expect(buttons(v).cancel).toBe('a cancel was already requested');
  });
  it('moves the stage and the step', () => {
    const v = applyEvent(view, ev('task.step.started', { stepIndex: 1, stepId: 'b', title: 'Second' }));
    expect(v.step).toEqual({ index: 1, count: 2, id: 'b', title: 'Second' });
    expect(applyEvent(v, ev('moonmind.task.publish.started')).stage).toBe('moonmind.task.publish');
    const attempt = applyEvent(view, ev('run.attempt.started', { attempt: 2, host: 'h2' }));
    expect([attempt.attempt, attempt.worker]).toEqual([2, 'h2']);
  });
  it('ends the run with the status, error and pull request the event carries', () => {
    const done = applyEvent(
      view,
      ev('run.finished', {
        status: 'failed',
        error: 'step 2 failed',
        prUrl: null,
        branch: 'b',
        finishedAt: '2026-11-29T10:01:00.000Z',
      }),
    );
    expect([done.status, done.error, done.branch, done.finishedAt]).toEqual([
      'failed',
      'step 2 failed',
      'b',
      '2026-11-29T10:01:00.000Z',
    ]);
    expect(buttons(done).cancel).toBe('the run is failed');
    // A final view takes nothing but a run end any more.
    expect(patchFor(done, ev('control.paused'))).toBeNull();
    expect(patchFor(view, ev('run.finished', { status: 'bogus' }))).toBeNull();
    expect(patchFor(view, ev('log', { kind: 'log' }))).toBeNull();
  });
});
