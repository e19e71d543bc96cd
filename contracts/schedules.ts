import { z } from 'zod';
import { jobEnvelopeSchema, taskInputSchema } from './task.ts';

/**
 * Recurring tasks (issue 17 point 4): a Temporal Schedule whose every fire starts a normal task run. The
 * schedule's task is a job envelope, validated and normalized by the submission rules (api/jobs/submit.ts).
 */

/** Temporal's overlap policies, as the API names them (docs/schedules.md says what each does). */
export const overlapPolicies = ['skip', 'buffer_one', 'buffer_all', 'cancel_other', 'allow_all'] as const;
export type OverlapPolicy = (typeof overlapPolicies)[number];

const intervalUnits = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const intervalPattern = /^(\d{1,6})(s|m|h|d)$/;

/** An interval such as `90s`, `15m`, `2h`, `1d` in milliseconds; null when it is not one. */
export function intervalMs(text: string): number | null {
  const m = intervalPattern.exec(text);
  return m ? Number(m[1]) * intervalUnits[m[2] as keyof typeof intervalUnits] : null;
}

/** An IANA time zone the runtime knows (Temporal's server uses the same tz database names). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

// Five fields (minute hour day month weekday), each of digits, names, `*`, `/`, `-`, `,`, `?`, `L`, `#`;
// or one of the predefined `@hourly`-style names. Temporal checks the values themselves on create.
const cronField = /^[0-9A-Za-z*/,?#-]+$/;
const cronMacros = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
function isCron(text: string): boolean {
  if (cronMacros.includes(text)) return true;
  const fields = text.split(/\s+/);
  return fields.length === 5 && fields.every((f) => cronField.test(f));
}

export const scheduleSpecSchema = z
  .object({
    cron: z
      .string()
      .trim()
      .max(200)
      .refine(
        isCron,
        'must be a cron expression of five fields (minute hour day month weekday), e.g. 0 9 * * 1-5',
      )
      .optional(),
    interval: z
      .string()
      .trim()
      .refine((v) => intervalMs(v) !== null, 'must be an interval such as 90s, 15m, 2h or 1d')
      .refine((v) => (intervalMs(v) ?? 1_000) >= 1_000, 'must be at least 1s')
      .optional(),
    timezone: z
      .string()
      .trim()
      .refine(isTimeZone, 'must be an IANA time zone, e.g. Europe/Paris or UTC')
      .default('UTC'),
    overlap: z.enum(overlapPolicies).default('skip'),
  })
  .superRefine(({ cron, interval }, ctx) => {
    if ((cron === undefined) === (interval === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [cron === undefined ? 'cron' : 'interval'],
        message: 'give exactly one of cron or interval',
      });
  });
export type ScheduleSpec = z.infer<typeof scheduleSpecSchema>;

/** The task a schedule runs: a job envelope as `POST /api/queue/jobs` takes it (documentation; the API normalizes). */
export const scheduleJobSchema = jobEnvelopeSchema.extend({ payload: taskInputSchema });

export const scheduleCreateSchema = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  spec: scheduleSpecSchema,
  job: z.record(z.string(), z.unknown(), { error: 'must be a job envelope (an object)' }),
  paused: z.boolean().default(false),
  note: z.string().trim().max(500, 'must be at most 500 characters').default(''),
});
export type ScheduleCreate = z.infer<typeof scheduleCreateSchema>;

/** A change: any of the spec, the task, the paused state (with a note saying why). */
export const schedulePatchSchema = z
  .object({
    spec: scheduleSpecSchema.optional(),
    job: z.record(z.string(), z.unknown(), { error: 'must be a job envelope (an object)' }).optional(),
    paused: z.boolean().optional(),
    note: z.string().trim().max(500, 'must be at most 500 characters').optional(),
  })
  .refine(
    (p) => Object.values(p).some((v) => v !== undefined),
    'give at least one of spec, job, paused, note',
  );
export type SchedulePatch = z.infer<typeof schedulePatchSchema>;

/** Schedule ids are readable in the Temporal Web UI: `schedule-<slug of the name>-<6 hex>`. */
export const scheduleIdPattern = /^schedule-[a-z0-9-]{1,80}$/;
export function scheduleSlug(name: string): string {
  return (
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40)
      .replace(/-+$/, '') || 'task'
  );
}

/** What `GET /api/schedules/{id}` answers (list items too). */
export const scheduleViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  spec: z.object({
    cron: z.string().optional(),
    interval: z.string().optional(),
    timezone: z.string(),
    overlap: z.enum(overlapPolicies),
  }),
  specText: z.string().describe('the spec in words: "every 15 minutes", "cron 0 9 * * 1-5 (Europe/Paris)"'),
  paused: z.boolean(),
  note: z.string(),
  owner: z.object({ id: z.string(), name: z.string() }).describe('whom the fires submit as'),
  job: z
    .object({
      type: z.string(),
      priority: z.number().int(),
      maxAttempts: z.number().int(),
      affinityKey: z.string().nullable(),
      payload: z.record(z.string(), z.unknown()).describe('the normalized task payload (contracts/task.ts)'),
    })
    .describe('the task each fire submits, as normalized at the last create or edit'),
  title: z.string(),
  nextFireTimes: z.array(z.string()),
  recentFires: z
    .array(
      z.object({
        firedAt: z.string(),
        jobId: z.string(),
        started: z
          .boolean()
          .describe('the job exists; false while the fire submits it, or when it could not'),
      }),
    )
    .describe('newest first, the last few Temporal remembers; each job is a normal job (origin.scheduleId)'),
  firedCount: z.number().int(),
  skippedCount: z.number().int().describe('fires the overlap policy dropped'),
  createdAt: z.string().nullable(),
  temporal: z.object({ url: z.string() }),
});
export type ScheduleView = z.infer<typeof scheduleViewSchema>;

const unitWords: [number, string][] = [
  [86_400_000, 'day'],
  [3_600_000, 'hour'],
  [60_000, 'minute'],
  [1_000, 'second'],
];
/** The spec as a person reads it. */
export function describeSpec(spec: Pick<ScheduleSpec, 'cron' | 'interval' | 'timezone'>): string {
  if (spec.interval) {
    const ms = intervalMs(spec.interval) ?? 0;
    const [size, word] = unitWords.find(([u]) => ms % u === 0) ?? [1_000, 'second'];
    const n = ms / size;
    return n === 1 ? `every ${word}` : `every ${n} ${word}s`;
  }
  return `cron ${spec.cron} (${spec.timezone})`;
}

/** The schedule's action: the `scheduledFire` workflow's input (the owner submits; `job` is the envelope). */
export interface ScheduledFireInput {
  scheduleId: string;
  owner: { id: string; name: string };
  job: Record<string, unknown>;
}

/** What `scheduledFire` returns: the job it ran and how that ended. */
export interface ScheduledFireResult {
  jobId: string;
  status: string;
}

/** The job id of a fire: derived from the fire's workflow id, so the API links a fire to its job unread. */
export const scheduleKeyNamespace = (scheduleId: string) => `moonmind-schedule:${scheduleId}`;
