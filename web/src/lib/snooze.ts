/** `<input type="datetime-local">` values (local time, no offset) to and from dates, for snoozing. */
const pad = (n: number) => String(n).padStart(2, '0');

export const toLocalInput = (d: Date) =>
  `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;

export function fromLocalInput(value: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value.trim())) return null;
  const d = new Date(value.trim());
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Tomorrow at 09:00 local time: the snooze offered by default. */
export function defaultSnooze(now = new Date()): string {
  const d = new Date(now);
  d.setDate(d.getDate() + 1);
  d.setHours(9, 0, 0, 0);
  return toLocalInput(d);
}

export const isSnoozed = (snoozedUntil: string | null | undefined, now = Date.now()) =>
  !!snoozedUntil && Date.parse(snoozedUntil) > now;
