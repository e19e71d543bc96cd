/** Display formatting shared by pages. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export const errorMessage = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** "3 min ago", "in 2 h", "just now": for lists, with the exact time on hover (`formatTime`). */
export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const ms = new Date(iso).getTime();
  if (Number.isNaN(ms)) return iso;
  const diff = now - ms;
  const abs = Math.abs(diff);
  if (abs < 45_000) return 'just now';
  const text = formatDuration(abs);
  return diff >= 0 ? `${text} ago` : `in ${text}`;
}

/** A span of time in its largest units: "42 s", "3 min", "1 h 5 min", "2 d 3 h". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** How long a run ran: start to finish, or to now while it runs; null before it started. */
export function runDuration(
  job: { startedAt: string | null; finishedAt: string | null },
  now = Date.now(),
): number | null {
  if (!job.startedAt) return null;
  const end = job.finishedAt ? new Date(job.finishedAt).getTime() : now;
  return end - new Date(job.startedAt).getTime();
}

/**
 * A queued run's waiting reason as a chip says it, like a CI system's "waiting for a runner with labels":
 * "no worker serves gh for acme/widgets" reads "waiting for a worker with gh for acme/widgets".
 */
export function waitingText(reason: string): string {
  const missing = /^no worker serves (.+) for (.+)$/.exec(reason);
  return missing ? `waiting for a worker with ${missing[1]} for ${missing[2]}` : `waiting: ${reason}`;
}

/** "1 line", "2 lines", "1,024 lines". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** An elapsed time to the second, for a run page that ticks: "12s", "3m 05s", "1h 02m". */
export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** A time of day with milliseconds, for log lines. */
export function formatClock(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}
