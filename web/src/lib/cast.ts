/**
 * asciicast v2 (the recording of a live session, `logs/live-session.cast`): a JSON header line, then one
 * `[seconds, code, data]` line per event; `o` is output, `i` the write holder's input, `m` a marker.
 */
export interface CastHeader {
  version: 2;
  width: number;
  height: number;
  timestamp?: number;
  idle_time_limit?: number;
}
export interface CastEvent {
  /** Seconds since the start, idle gaps already capped (see `parseCast`). */
  at: number;
  code: 'o' | 'i' | 'm';
  data: string;
}
export interface Cast {
  header: CastHeader;
  events: CastEvent[];
  /** Seconds. */
  duration: number;
}

/** A gap longer than this plays as this long, unless the header sets its own `idle_time_limit`. */
export const DEFAULT_IDLE_LIMIT_S = 2;

const codes = new Set(['o', 'i', 'm']);

/**
 * Throws on a missing or foreign header. An event line that does not parse is skipped: a worker that died
 * mid-write leaves a cut last line, and the rest of the recording is still worth playing.
 */
export function parseCast(text: string): Cast {
  const lines = text.split('\n');
  let header: CastHeader;
  try {
    header = JSON.parse(lines[0] ?? '');
  } catch {
    throw new Error('not an asciicast recording: the first line is not a JSON header');
  }
  if (header?.version !== 2 || !(header.width > 0) || !(header.height > 0))
    throw new Error('not an asciicast v2 recording');
  const limit = header.idle_time_limit ?? DEFAULT_IDLE_LIMIT_S;
  const events: CastEvent[] = [];
  let last = 0;
  let at = 0;
  for (const line of lines.slice(1)) {
    if (!line.trim()) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      continue;
    }
    if (!Array.isArray(raw) || typeof raw[0] !== 'number' || !codes.has(raw[1]) || typeof raw[2] !== 'string')
      continue;
    at += Math.min(Math.max(0, raw[0] - last), limit);
    last = Math.max(last, raw[0]);
    events.push({ at, code: raw[1], data: raw[2] });
  }
  return { header, events, duration: at };
}

/**
 * The output to write when playback moves from event `from` to time `t`: what the screen shows, never the
 * input (the terminal already echoes what reached it), and the index to continue from.
 */
export function outputUntil(cast: Cast, from: number, t: number): { data: string; next: number } {
  let data = '';
  let next = from;
  for (; next < cast.events.length && cast.events[next].at <= t; next++)
    if (cast.events[next].code === 'o') data += cast.events[next].data;
  return { data, next };
}

/** The markers (write grants starting and ending), with their time, to list beside the player. */
export const castMarkers = (cast: Cast) =>
  cast.events.filter((e) => e.code === 'm').map((e) => ({ at: e.at, label: e.data }));
