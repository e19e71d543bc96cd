import { describe, expect, it } from 'vitest';
import {
  describeSpec,
  intervalMs,
  isTimeZone,
  scheduleCreateSchema,
  schedulePatchSchema,
  scheduleSlug,
  scheduleSpecSchema,
} from '../../contracts/schedules.ts';

const issuePaths = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) =>
  r.error?.issues.map((i) => i.path.map(String).join('.')) ?? [];

describe('schedule contract', () => {
  it('reads intervals and says them in words', () => {
    expect(intervalMs('90s')).toBe(90_000);
    expect(intervalMs('15m')).toBe(900_000);
    expect(intervalMs('1d')).toBe(86_400_000);
    expect(intervalMs('15 minutes')).toBeNull();
    expect(describeSpec({ interval: '90s', timezone: 'UTC' })).toBe('every 90 seconds');
    expect(describeSpec({ interval: '120m', timezone: 'UTC' })).toBe('every 2 hours');
    expect(describeSpec({ interval: '1h', timezone: 'UTC' })).toBe('every hour');
    expect(describeSpec({ cron: '0 9 * * 1-5', timezone: 'Europe/Paris' })).toBe(
      'cron 0 9 * * 1-5 (Europe/Paris)',
    );
  });

  it('checks the spec: one of cron or interval, a real time zone, a known overlap policy', () => {
    expect(scheduleSpecSchema.parse({ interval: '2s' })).toEqual({
      interval: '2s',
      timezone: 'UTC',
      overlap: 'skip',
    });
    expect(scheduleSpecSchema.safeParse({ cron: '@daily', timezone: 'America/New_York' }).success).toBe(true);
    expect(issuePaths(scheduleSpecSchema.safeParse({}))).toEqual(['cron']);
    expect(issuePaths(scheduleSpecSchema.safeParse({ cron: '0 9 * * *', interval: '1h' }))).toEqual([
      'interval',
    ]);
    expect(issuePaths(scheduleSpecSchema.safeParse({ cron: '0 9 * *' }))).toEqual(['cron']);
    expect(issuePaths(scheduleSpecSchema.safeParse({ interval: '500ms' }))).toEqual(['interval']);
    expect(issuePaths(scheduleSpecSchema.safeParse({ interval: '0s' }))).toEqual(['interval']);
    expect(issuePaths(scheduleSpecSchema.safeParse({ interval: '1h', timezone: 'Europe/Atlantis' }))).toEqual(
      ['timezone'],
    );
    expect(isTimeZone('Asia/Kolkata')).toBe(true);
    expect(issuePaths(scheduleSpecSchema.safeParse({ interval: '1h', overlap: 'terminate_other' }))).toEqual([
      'overlap',
    ]);
  });

  it('names every bad field of a create and refuses an empty change', () => {
    const r = scheduleCreateSchema.safeParse({ name: ' ', spec: { cron: 'x' }, job: [] });
    expect(issuePaths(r).sort()).toEqual(['job', 'name', 'spec.cron']);
    expect(schedulePatchSchema.safeParse({}).success).toBe(false);
    expect(schedulePatchSchema.safeParse({ paused: true }).success).toBe(true);
  });

  it('makes readable slugs for schedule ids', () => {
    expect(scheduleSlug('Nightly docs refresh!')).toBe('nightly-docs-refresh');
    expect(scheduleSlug('Café ünïcode')).toBe('cafe-unicode');
    expect(scheduleSlug('***')).toBe('task');
    expect(scheduleSlug('x'.repeat(100))).toHaveLength(40);
  });
});
