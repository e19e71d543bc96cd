import type { JobEvent } from '../../../contracts/events.ts';
import { stages } from '../../../contracts/events.ts';

/** Pure helpers over job events: output filters, output rows, and the stage/step timeline. */
export const outputFilters = ['all', 'stages', 'logs', 'warnings'] as const;
export type OutputFilter = (typeof outputFilters)[number];

export const isLog = (e: JobEvent) => e.type === 'log' || e.payload?.kind === 'log';
export const isStageEvent = (e: JobEvent) =>
  e.type.startsWith('moonmind.task.') || e.type.startsWith('task.step') || e.type.startsWith('run.');
/** The kind of agent event a log line is (`payload.displayKind`, set by the worker), if any. */
export const displayKind = (e: JobEvent) =>
  isLog(e) && typeof e.payload?.displayKind === 'string' ? e.payload.displayKind : null;
/** An operator message as the agent got it (delivered to the running step's inbox): a line of the transcript. */
export const isOperatorLine = (e: JobEvent) =>
  e.type === 'task.operator_message.delivered' && typeof e.payload?.text === 'string';
export const isWarning = (e: JobEvent) =>
  e.level === 'warn' || e.level === 'error' || displayKind(e) === 'error';

export function matchesFilter(e: JobEvent, filter: OutputFilter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'stages':
      return isStageEvent(e);
    case 'logs':
      return isLog(e) || isOperatorLine(e);
    case 'warnings':
      return isWarning(e);
  }
}

/**
 * One row of the output panel: `text` is what people read (an agent event's rendering, `payload.display`,
 * else the line verbatim), `raw` the line as the CLI printed it; stderr is marked, other events read
 * `[type] message`. `kind` is the agent event's kind, for the row's marker.
 */
export interface OutputLine {
  /** The event's id: the line's link (`?line=`) and its place in the log. */
  id: number;
  at: string;
  text: string;
  raw: string;
  kind: string | null;
}

export function outputLine(e: JobEvent): OutputLine {
  const line = { id: e.id, at: e.createdAt };
  if (isOperatorLine(e)) {
    const text = `${String(e.payload.actor ?? 'operator')}: ${String(e.payload.text)}`;
    return { ...line, text, raw: `[operator] ${text}`, kind: 'operator' };
  }
  if (!isLog(e)) {
    const text = `[${e.type}] ${e.message}`;
    return { ...line, text, raw: text, kind: null };
  }
  const raw = e.payload?.stream === 'stderr' ? `[stderr] ${e.message}` : e.message;
  const display = e.payload?.display;
  return typeof display === 'string'
    ? { ...line, text: display, raw, kind: displayKind(e) }
    : { ...line, text: raw, raw, kind: null };
}

/** Split `text` around each case-insensitive occurrence of `term`: odd parts are the occurrences. */
export function splitAround(text: string, term: string): string[] {
  if (!term) return [text];
  const parts: string[] = [];
  const lower = text.toLowerCase();
  const needle = term.toLowerCase();
  let from = 0;
  for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, from)) {
    parts.push(text.slice(from, at), text.slice(at, at + needle.length));
    from = at + needle.length;
  }
  parts.push(text.slice(from));
  return parts;
}

/** Where the line with this id is in lines sorted by id, or -1. */
export function indexOfLine(lines: readonly { id: number }[], id: number): number {
  let lo = 0;
  let hi = lines.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = lines[mid].id;
    if (at === id) return mid;
    if (at < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Short markers of the agent event kinds (an unknown kind shows as itself). */
const kindMarkers: Record<string, string> = {
  message: 'agent',
  reasoning: 'think',
  command: 'cmd',
  file_change: 'file',
  tool: 'tool',
  tool_result: 'out',
  error: 'error',
  status: 'info',
};
export const kindMarker = (kind: string) => kindMarkers[kind] ?? kind;

/** A row as plain text (copying): the marker in brackets, then the text, or the raw line. */
export function lineText(line: OutputLine, raw = false): string {
  if (raw) return line.raw;
  return line.kind ? `[${kindMarker(line.kind)}] ${line.text}` : line.text;
}

export type PhaseState = 'pending' | 'running' | 'finished' | 'failed' | 'cancelled' | 'skipped';
/** When a stage or step started and ended, as its events tell (null when not seen). */
export interface Span {
  startedAt?: string | null;
  endedAt?: string | null;
}
export interface StageRow extends Span {
  name: string;
  state: PhaseState;
}
export interface StepRow extends Span {
  index: number;
  id: string;
  title: string | null;
  state: PhaseState;
}

export interface Timeline {
  stages: StageRow[];
  steps: StepRow[];
  /** Facts of the latest attempt, for when the job view no longer has the live state (finished runs). */
  attempt: number | null;
  host: string | null;
  startedAt: string | null;
}

/**
 * Stages and steps as the events tell them. Each attempt starts with `prepare.started`, which starts the
 * picture over, so a retried run shows its current attempt. Pass non-log events (logs change nothing).
 */
export function deriveTimeline(events: readonly JobEvent[]): Timeline {
  let stageState = new Map<string, PhaseState>();
  let stageSpan = new Map<string, Span>();
  let steps: StepRow[] = [];
  let attempt: number | null = null;
  let host: string | null = null;
  let startedAt: string | null = null;
  for (const e of events) {
    if (e.type === 'moonmind.task.prepare.started') {
      stageState = new Map();
      stageSpan = new Map();
      steps = [];
      startedAt ??= e.createdAt;
    }
    if (e.type === 'run.attempt.started') {
      if (typeof e.payload.attempt === 'number') attempt = e.payload.attempt;
      if (typeof e.payload.host === 'string') host = e.payload.host;
      continue;
    }
    const stage = stages.find((s) => e.type.startsWith(`${s}.`));
    if (stage) {
      const suffix = e.type.slice(stage.length + 1);
      const state: PhaseState | null =
        suffix === 'started'
          ? 'running'
          : suffix === 'finished'
            ? 'finished'
            : suffix === 'failed'
              ? 'failed'
              : null;
      if (state) {
        stageState.set(stage, state);
        stageSpan.set(stage, spanAfter(stageSpan.get(stage), state, e.createdAt));
      }
      continue;
    }
    if (e.type === 'task.steps.plan') {
      const ids = Array.isArray(e.payload.stepIds) ? (e.payload.stepIds as string[]) : [];
      steps = ids.map((id, index) => ({ index, id: String(id), title: null, state: 'pending' }));
      continue;
    }
    if (e.type.startsWith('task.step.')) {
      const index = Number(e.payload.stepIndex);
      if (!Number.isInteger(index) || index < 0) continue;
      while (steps.length <= index)
        steps.push({ index: steps.length, id: '', title: null, state: 'pending' });
      const row = steps[index];
      if (typeof e.payload.stepId === 'string') row.id = e.payload.stepId;
      if (typeof e.payload.title === 'string') row.title = e.payload.title;
      const suffix = e.type.slice('task.step.'.length);
      row.state = suffix === 'started' ? 'running' : suffix === 'finished' ? 'finished' : 'failed';
      Object.assign(row, spanAfter(row, row.state, e.createdAt));
    }
  }
  return {
    stages: stages.map((name) => ({
      name,
      state: stageState.get(name) ?? 'pending',
      ...stageSpan.get(name),
    })),
    steps,
    attempt,
    host,
    startedAt,
  };
}

const spanAfter = (span: Span | undefined, state: PhaseState, at: string): Span =>
  state === 'running'
    ? { startedAt: at, endedAt: null }
    : { startedAt: span?.startedAt ?? null, endedAt: at };

/** How long a stage or step took (or has taken so far, given `now`); null when its start is unknown. */
export function spanMs(span: Span, now: number): number | null {
  if (!span.startedAt) return null;
  const end = span.endedAt ? Date.parse(span.endedAt) : now;
  return Math.max(0, end - Date.parse(span.startedAt));
}

/** "i/N" of the last step that started, from the timeline. */
export function stepOf(steps: readonly StepRow[]): string | null {
  const last = steps.findLastIndex((s) => s.state !== 'pending');
  return steps.length ? `${last + 1}/${steps.length}` : null;
}

/** Short stage label: `moonmind.task.execute` → `execute`. */
export const stageLabel = (stage: string | null | undefined) =>
  stage ? (stage.split('.').at(-1) ?? stage) : '—';
