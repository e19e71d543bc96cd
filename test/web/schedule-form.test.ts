import { describe, expect, it } from 'vitest';
import { scheduleSpecSchema } from '../../contracts/schedules.ts';
import {
  checkScheduleForm,
  emptyScheduleForm,
  scheduleFormOf,
  scheduleTargets,
  specOf,
} from '../../web/src/lib/schedule-form.ts';

describe('schedule form', () => {
  it('sends the chosen kind of spec only, as the API reads it', () => {
    const form = { ...emptyScheduleForm(), name: 'Nightly', kind: 'cron' as const, cron: ' 0 2 * * * ' };
    form.timezone = 'Europe/Paris';
    expect(specOf(form)).toEqual({ cron: '0 2 * * *', timezone: 'Europe/Paris', overlap: 'skip' });
    expect(scheduleSpecSchema.safeParse(specOf(form)).success).toBe(true);
    expect(checkScheduleForm(form)).toEqual({});
    // An interval counts from the Unix epoch: no time zone to send (nor to get wrong in a hidden field).
    expect(specOf({ ...form, kind: 'interval', interval: '15m' })).toEqual({
      interval: '15m',
      overlap: 'skip',
    });
  });

  it("finds the API's problems under its issue paths, each with a field to focus", () => {
    const form = { ...emptyScheduleForm(), name: '', interval: 'soon', timezone: 'Nowhere/Land' };
    const errors = checkScheduleForm(form);
    expect(Object.keys(errors).sort()).toEqual(['name', 'spec.interval']);
    const cron = checkScheduleForm({ ...form, name: 'x', kind: 'cron', cron: 'daily' });
    expect(Object.keys(cron).sort()).toEqual(['spec.cron', 'spec.timezone']);
    for (const key of [...Object.keys(errors), ...Object.keys(cron)])
      expect(scheduleTargets[key]).toBeDefined();
  });

  it('opens an existing schedule as it was written', () => {
    const form = scheduleFormOf({
      name: 'Mornings',
      spec: { cron: '0 9 * * 1-5', timezone: 'Asia/Tokyo', overlap: 'buffer_one' },
      note: 'weekdays',
      paused: true,
    } as Parameters<typeof scheduleFormOf>[0]);
    expect(form).toMatchObject({
      name: 'Mornings',
      kind: 'cron',
      cron: '0 9 * * 1-5',
      timezone: 'Asia/Tokyo',
      overlap: 'buffer_one',
      note: 'weekdays',
      paused: true,
    });
  });
});
