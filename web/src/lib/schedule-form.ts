import {
  type OverlapPolicy,
  type ScheduleView,
  scheduleCreateSchema,
  scheduleSpecSchema,
} from '../../../contracts/schedules.ts';
import type { FieldErrors } from './task-form.ts';

/** The schedule form's own fields (the task's are the submit form's, lib/task-form.ts). */
export interface ScheduleForm {
  name: string;
  kind: 'interval' | 'cron';
  interval: string;
  cron: string;
  timezone: string;
  overlap: OverlapPolicy;
  note: string;
  paused: boolean;
}

const browserZone = () => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
};

export function emptyScheduleForm(): ScheduleForm {
  return {
    name: '',
    kind: 'interval',
    interval: '1h',
    cron: '0 9 * * 1-5',
    timezone: browserZone(),
    overlap: 'skip',
    note: '',
    paused: false,
  };
}

export function scheduleFormOf(s: ScheduleView): ScheduleForm {
  return {
    name: s.name,
    kind: s.spec.cron ? 'cron' : 'interval',
    interval: s.spec.interval ?? '1h',
    cron: s.spec.cron ?? '0 9 * * 1-5',
    timezone: s.spec.timezone,
    overlap: s.spec.overlap,
    note: s.note,
    paused: s.paused,
  };
}

/** The spec as the API takes it; a time zone only with a cron (intervals count from the Unix epoch). */
export const specOf = (f: ScheduleForm) =>
  f.kind === 'cron'
    ? { cron: f.cron.trim(), timezone: f.timezone.trim(), overlap: f.overlap }
    : { interval: f.interval.trim(), overlap: f.overlap };

/** The same checks as the API (contracts/schedules.ts), keyed like its issue paths: `name`, `spec.cron`, … */
export function checkScheduleForm(f: ScheduleForm): FieldErrors {
  const errors: FieldErrors = {};
  const result = scheduleCreateSchema
    .pick({ name: true, note: true })
    .extend({ spec: scheduleSpecSchema })
    .safeParse({ name: f.name, note: f.note, spec: specOf(f) });
  if (!result.success)
    for (const issue of result.error.issues) errors[issue.path.map(String).join('.')] ??= issue.message;
  return errors;
}

/** The schedule's fields in the error summary: their labels and element ids. */
export const scheduleTargets: Record<string, { label: string; id: string }> = {
  name: { label: 'Name', id: 'schedule-name' },
  'spec.interval': { label: 'Interval', id: 'spec-interval' },
  'spec.cron': { label: 'Cron', id: 'spec-cron' },
  'spec.timezone': { label: 'Time zone', id: 'spec-timezone' },
  'spec.overlap': { label: 'Overlap', id: 'spec-overlap' },
  note: { label: 'Note', id: 'schedule-note' },
};
