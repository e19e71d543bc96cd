import { describe, expect, it } from 'vitest';
import type { JobEvent } from '../../contracts/events.ts';
import {
  deriveTimeline,
  indexOfLine,
  lineText,
  matchesFilter,
  type OutputFilter,
  outputLine,
  spanMs,
  splitAround,
  stepOf,
} from '../../web/src/lib/events.ts';
import { formatElapsed, plural } from '../../web/src/lib/format.ts';

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
    expect(line).toEqual({
      id: agentError.id,
      at: agentError.createdAt,
      text: 'turn failed: model overloaded',
      raw: agentError.message,
      kind: 'error',
    });
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
    expect(t.steps.map(({ startedAt, endedAt, ...row }) => row)).toEqual([
      { index: 0, id: 'a', title: 'First', state: 'finished' },
      { index: 1, id: 'b', title: null, state: 'failed' },
    ]);
  });
  it('times each stage and step from its events: finished ones in full, running ones so far', () => {
    const at = (type: string, iso: string, payload = {}) => ({ ...ev(type, '', payload), createdAt: iso });
    const t = deriveTimeline([
      at('moonmind.task.prepare.started', '2026-01-01T00:00:00.000Z'),
      at('moonmind.task.prepare.finished', '2026-01-01T00:00:04.000Z'),
      at('moonmind.task.execute.started', '2026-01-01T00:00:05.000Z'),
      at('task.step.started', '2026-01-01T00:00:05.000Z', { stepIndex: 0 }),
      at('task.step.finished', '2026-01-01T00:01:10.000Z', { stepIndex: 0 }),
      at('task.step.started', '2026-01-01T00:01:10.000Z', { stepIndex: 1 }),
    ]);
    const now = Date.parse('2026-01-01T00:02:10.000Z');
    expect(t.stages.map((s) => spanMs(s, now))).toEqual([4000, 125_000, null]);
    expect(t.steps.map((s) => spanMs(s, now))).toEqual([65_000, 60_000]);
    expect(t.steps.map((s) => formatElapsed(spanMs(s, now)!))).toEqual(['1m 05s', '1m 00s']);
  });
  it('finds a line by id among lines sorted by id', () => {
    const lines = [2, 3, 5, 8, 13].map((n) => ({ id: n }));
    expect([2, 5, 13, 4, 1, 14].map((n) => indexOfLine(lines, n))).toEqual([0, 2, 4, -1, -1, -1]);
    expect(indexOfLine([], 1)).toBe(-1);
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

describe('log text', () => {
  it('counts in words: one line, many lines', () => {
    expect([0, 1, 2, 1024].map((n) => plural(n, 'line'))).toEqual([
      '0 lines',
      '1 line',
      '2 lines',
      '1,024 lines',
    ]);
    expect(plural(1, 'match', 'matches')).toBe('1 match');
  });
  it('splits a line around each occurrence of the search term, any case, as written', () => {
    expect(splitAround('Needle and needle, NEEDLE', 'needle')).toEqual([
      '',
      'Needle',
      ' and ',
      'needle',
      ', ',
      'NEEDLE',
      '',
    ]);
    expect(splitAround('nothing here', 'needle')).toEqual(['nothing here']);
  });
});
