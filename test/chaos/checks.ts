import type { JobEvent } from '../../contracts/events.ts';

/** What the event list of one run shows about delivery: lost and repeated lines, id holes. */
export interface DeliveryCheck {
  /** Ids missing from 1..last, or not strictly increasing. */
  idProblems: string[];
  /** The fake agent's `working N` lines missing from 1..N in the final attempt, plus its missing `done`. */
  lost: number;
  /** Log events of the final attempt that repeat an earlier one (same type, message and payload). */
  duplicates: number;
  /** `working N` lines of the final attempt out of order. */
  outOfOrder: number;
  workingLines: number;
}

/**
 * Log events carry no attempt number; the final attempt's are those after its `prepare.started` (a killed
 * attempt's worker cannot add any later, and ids follow commit order).
 */
export function finalAttemptEvents(events: JobEvent[]): JobEvent[] {
  const starts = events.filter((e) => e.type === 'moonmind.task.prepare.started');
  const from = starts.at(-1)?.id ?? 0;
  return events.filter((e) => e.id >= from);
}

const workingNumber = (e: JobEvent) => {
  const n = /\bworking (\d+)\b/.exec(String(e.payload.display ?? e.message))?.[1];
  return n ? Number(n) : null;
};

export function checkDelivery(events: JobEvent[]): DeliveryCheck {
  const idProblems: string[] = [];
  events.forEach((e, i) => {
    if (e.id !== i + 1) idProblems.push(`event #${i + 1} has id ${e.id}`);
  });
  const logs = finalAttemptEvents(events).filter((e) => e.type === 'log');
  const keys = logs.map((e) => JSON.stringify([e.type, e.message, e.payload]));
  const duplicates = keys.length - new Set(keys).size;
  const working = logs.map(workingNumber).filter((n): n is number => n !== null);
  const distinct = new Set(working);
  const max = Math.max(0, ...working);
  const done = logs.some((e) => /fake agent: done/.test(String(e.payload.display ?? e.message)));
  let outOfOrder = 0;
  for (let i = 1; i < working.length; i++) if (working[i] <= working[i - 1]) outOfOrder++;
  return {
    idProblems: idProblems.slice(0, 5),
    lost: max - distinct.size + (done ? 0 : 1),
    duplicates,
    outOfOrder,
    workingLines: working.length,
  };
}

/** SSE ids as a client saw them across reconnects, against the stored list up to the run's end. */
export function compareStream(seen: JobEvent[], stored: JobEvent[]): { lost: number; duplicates: number } {
  const end = stored.find((e) => e.type === 'run.finished')?.id ?? stored.at(-1)?.id ?? 0;
  const seenIds = seen.map((e) => e.id);
  const distinct = new Set(seenIds);
  const mismatched = seen.filter((e) => {
    const s = stored.find((x) => x.id === e.id);
    return !s || s.message !== e.message || s.type !== e.type;
  }).length;
  const lost = stored.filter((e) => e.id <= end && !distinct.has(e.id)).length;
  return { lost: lost + mismatched, duplicates: seenIds.length - distinct.size };
}

export const percentile = (values: number[], p: number) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

export const seconds = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '–');
