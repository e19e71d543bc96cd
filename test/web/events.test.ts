import { describe, expect, it } from 'vitest';
import type { JobEvent } from '../../contracts/events.ts';
import {
  deriveTimeline,
  lineText,
  matchesFilter,
  type OutputFilter,
  outputLine,
  stepOf,
} from '../../web/src/lib/events.ts';

let id = 0;
const ev = (
  type: string,
  message = type,
  payload: Record<string, unknown> = {},
  level: JobEvent['level'] = 'info',
): JobEvent => ({
  id: ++id,
  jobId: 'j',
  createdAt: new Date().toISOString(),
  level,
  type,
  message,
  payload,
});

describe('output filters', () => {
  const events = [
    ev('moonmind.task.execute.started'),
    ev('task.step.started', 'Step 1/1', { stepIndex: 0 }),
    ev('log', 'hello', { kind: 'log', stream: 'stdout' }),
    ev('log', 'oops', { kind: 'log', stream: 'stderr' }, 'warn'),
    ev('control.operator_message', 'hi there'),
    ev('run.attempt.failed', 'worker lost', {}, 'error'),
  ];
  const agentError = ev('log', '{"type":"turn.failed","error":{"message":"model overloaded"}}', {
    kind: 'log',
    stream: 'stdout',
    display: 'turn failed: model overloaded',
    displayKind: 'error',
  });
  const pick = (f: OutputFilter, list = events) => list.filter((e) => matchesFilter(e, f)).map((e) => e.type);
  it('splits stages, logs and warnings', () => {
    expect(pick('all')).toHaveLength(6);
    expect(pick('stages')).toEqual([
      'moonmind.task.execute.started',
      'task.step.started',
      'run.attempt.failed',
    ]);
    expect(pick('logs')).toEqual(['log', 'log']);
    expect(pick('warnings')).toEqual(['log', 'run.attempt.failed']);
  });
  it("counts the agent's error events as warnings, whatever their level", () => {
    expect(pick('warnings', [events[2], agentError])).toEqual(['log']);
  });
  it('shows log lines verbatim, marks stderr, prefixes other events with their type', () => {
    expect(
      events
        .slice(2, 5)
        .map(outputLine)
        .map((l) => lineText(l)),
    ).toEqual(['hello', '[stderr] oops', '[control.operator_message] hi there']);
  });
  it("shows an agent event's rendering with its kind, the raw JSON line on request", () => {
    const line = outputLine(agentError);
    expect(line).toEqual({ text: 'turn failed: model overloaded', raw: agentError.message, kind: 'error' });
    expect(lineText(line)).toBe('[error] turn failed: model overloaded');
    expect(lineText(line, true)).toBe(agentError.message);
  });
});

describe('stage and step timeline', () => {
  it('follows stage and step events', () => {
    const t = deriveTimeline([
      ev('moonmind.task.prepare.started'),
      ev('task.steps.plan', '2 steps', { stepCount: 2, stepIds: ['a', 'b'] }),
      ev('moonmind.task.prepare.finished'),
      ev('moonmind.task.execute.started'),
      ev('task.step.started', '', { stepIndex: 0, stepId: 'a', title: 'First' }),
      ev('task.step.finished', '', { stepIndex: 0, stepId: 'a' }),
      ev('task.step.started', '', { stepIndex: 1, stepId: 'b' }),
      ev('task.step.failed', '', { stepIndex: 1, stepId: 'b' }),
      ev('moonmind.task.execute.failed'),
    ]);
    expect(t.stages.map((s) => s.state)).toEqual(['finished', 'failed', 'pending']);
    expect(t.steps).toEqual([
      { index: 0, id: 'a', title: 'First', state: 'finished' },
      { index: 1, id: 'b', title: null, state: 'failed' },
    ]);
  });
  it('starts over on a new attempt and reports its number, host and first start', () => {
    const first = { ...ev('moonmind.task.prepare.started'), createdAt: '2026-01-01T00:00:00.000Z' };
    const t = deriveTimeline([
      first,
      ev('moonmind.task.prepare.finished'),
      ev('run.attempt.started', '', { attempt: 1, host: 'h1' }),
      ev('moonmind.task.execute.started'),
      ev('run.attempt.failed', 'host lost', {}, 'warn'),
      ev('moonmind.task.prepare.started'),
      ev('moonmind.task.prepare.finished'),
      ev('run.attempt.started', '', { attempt: 2, host: 'h2' }),
    ]);
    expect(t.stages.map((s) => s.state)).toEqual(['finished', 'pending', 'pending']);
    expect([t.attempt, t.host]).toEqual([2, 'h2']);
    expect(t.startedAt).toBe(first.createdAt);
  });
  it('tells which step ran last', () => {
    const row = (state: 'pending' | 'finished' | 'running') => ({ index: 0, id: '', title: null, state });
    expect(stepOf([row('finished'), row('running'), row('pending')])).toBe('2/3');
    expect(stepOf([])).toBeNull();
  });
});
