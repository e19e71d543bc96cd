import { describe, expect, it } from 'vitest';
import { castMarkers, outputUntil, parseCast } from '../../web/src/lib/cast.ts';

describe('asciicast parsing and playback', () => {
  const cast = [
    JSON.stringify({ version: 2, width: 80, height: 24, timestamp: 1 }),
    JSON.stringify([0.5, 'o', 'hello ']),
    JSON.stringify([1.0, 'm', 'write granted to alice']),
    JSON.stringify([1.2, 'i', 'ls\r']),
    JSON.stringify([1.3, 'o', 'ls\r\n']),
    JSON.stringify([60, 'o', 'after a long idle']),
    '[61, "o", "cut of',
  ].join('\n');

  it('reads the header and the events, capping idle gaps and skipping a cut last line', () => {
    const c = parseCast(cast);
    expect(c.header).toMatchObject({ version: 2, width: 80, height: 24 });
    expect(c.events.map((e) => e.code)).toEqual(['o', 'm', 'i', 'o', 'o']);
    // 1.3 s, then the 58.7 s gap plays as 2 s.
    expect(c.duration).toBeCloseTo(3.3);
  });

  it('honours the header idle_time_limit', () => {
    const c = parseCast(
      [JSON.stringify({ version: 2, width: 80, height: 24, idle_time_limit: 0.5 }), '[10, "o", "x"]'].join(
        '\n',
      ),
    );
    expect(c.duration).toBe(0.5);
  });

  it('refuses a file that is not asciicast v2', () => {
    expect(() => parseCast('not json\n[1, "o", "x"]')).toThrow(/asciicast/);
    expect(() => parseCast(JSON.stringify({ version: 1, width: 80, height: 24 }))).toThrow(/v2/);
  });

  it('plays output up to a time, never the input, and continues from where it stopped', () => {
    const c = parseCast(cast);
    const first = outputUntil(c, 0, 1.25);
    expect(first).toEqual({ data: 'hello ', next: 3 });
    const rest = outputUntil(c, first.next, c.duration);
    expect(rest).toEqual({ data: 'ls\r\nafter a long idle', next: 5 });
  });

  it('lists the markers with their times', () => {
    expect(castMarkers(parseCast(cast))).toEqual([{ at: 1, label: 'write granted to alice' }]);
  });
});
