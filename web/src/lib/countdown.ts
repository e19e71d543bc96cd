/** Time left until `expiresAt` (ISO), never below zero; zero for a missing or unreadable time. */
export function remainingMs(expiresAt: string | null | undefined, now: number): number {
  const end = expiresAt ? new Date(expiresAt).getTime() : Number.NaN;
  return Number.isNaN(end) ? 0 : Math.max(0, end - now);
}

/** Whole seconds as "mm:ss"; minutes may pass 59. */
export function formatMinSec(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** A countdown as "mm:ss", rounded up so it shows 00:00 only once the time is out. */
export const formatCountdown = (ms: number) => formatMinSec(Math.ceil(ms / 1000));
