import { describe, expect, it } from 'vitest';
import { type LiveSessionView, noSessionView, type ToViewerFrame } from '../../contracts/live-session.ts';
import { liveSocketUrl } from '../../web/src/api/live-session.ts';
import { formatCountdown, formatMinSec, remainingMs } from '../../web/src/lib/countdown.ts';
import { applyFrame, type FrameSink, parseToViewerFrame } from '../../web/src/lib/live-frames.ts';
import { holdsWrite, ownsTakeover, sessionActions } from '../../web/src/lib/live-session.ts';

const me = { id: 'u1', name: 'alice' };
const T0 = Date.parse('2026-12-06T10:00:00.000Z');
const view = (patch: Partial<LiveSessionView>): LiveSessionView => ({ ...noSessionView('j1'), ...patch });

describe('countdown', () => {
  it('formats mm:ss, rounding up, never negative, past an hour in minutes', () => {
    expect(formatCountdown(15 * 60_000)).toBe('15:00');
    expect(formatCountdown(61_001)).toBe('01:02');
    expect(formatCountdown(400)).toBe('00:01');
    expect(formatCountdown(0)).toBe('00:00');
    expect(formatCountdown(-5_000)).toBe('00:00');
    expect(formatCountdown(75 * 60_000)).toBe('75:00');
  });
  it('shows a playback position floored to the second', () => {
    expect(formatMinSec(0.5)).toBe('00:00');
    expect(formatMinSec(61.9)).toBe('01:01');
  });
  it('counts the time left to an ISO time', () => {
    expect(remainingMs(new Date(T0 + 90_000).toISOString(), T0)).toBe(90_000);
    expect(remainingMs(new Date(T0 - 1).toISOString(), T0)).toBe(0);
    expect(remainingMs(null, T0)).toBe(0);
    expect(remainingMs('garbage', T0)).toBe(0);
  });
});

describe('frames from the API', () => {
  const recorder = () => {
    const calls: string[] = [];
    const sink: FrameSink = {
      reset: () => calls.push('reset'),
      write: (d) => calls.push(`write:${d}`),
      view: (v) => calls.push(`view:${v.state}`),
      error: (m) => calls.push(`error:${m}`),
    };
    return { calls, sink };
  };

  it('parses the known frames and drops anything else', () => {
    expect(parseToViewerFrame('{"t":"out","d":"x"}')).toEqual({ t: 'out', d: 'x' });
    expect(parseToViewerFrame('{"t":"screen","d":"s","cols":80,"rows":24}')).toEqual({
      t: 'screen',
      d: 's',
      cols: 80,
      rows: 24,
    });
    expect(
      parseToViewerFrame(JSON.stringify({ t: 'session', view: view({ state: 'READY' }) })),
    ).toMatchObject({
      t: 'session',
      view: { state: 'READY' },
    });
    expect(parseToViewerFrame('{"t":"error","message":"gone"}')).toEqual({ t: 'error', message: 'gone' });
    for (const bad of ['nope', 'null', '{"t":"out"}', '{"t":"future","d":"x"}', '{"t":"session","view":{}}'])
      expect(parseToViewerFrame(bad)).toBeNull();
    expect(parseToViewerFrame(new ArrayBuffer(2))).toBeNull();
  });

  it('a screen replaces the terminal, out appends, session and error reach the page', () => {
    const { calls, sink } = recorder();
    const frames: ToViewerFrame[] = [
      { t: 'out', d: 'a' },
      { t: 'screen', d: 'whole', cols: 80, rows: 24 },
      { t: 'out', d: 'b' },
      { t: 'session', view: view({ state: 'READY' }) },
      { t: 'error', message: 'lost' },
    ];
    for (const f of frames) applyFrame(f, sink);
    expect(calls).toEqual(['write:a', 'reset', 'write:whole', 'write:b', 'view:READY', 'error:lost']);
  });

  it('builds the socket address on the page origin', () => {
    expect(liveSocketUrl('a/b', { protocol: 'https:', host: 'mm.example:8443' })).toBe(
      'wss://mm.example:8443/api/queue/jobs/a%2Fb/live-session/socket',
    );
    expect(liveSocketUrl('j', { protocol: 'http:', host: 'localhost' })).toBe(
      'ws://localhost/api/queue/jobs/j/live-session/socket',
    );
  });
});

describe('who may do what', () => {
  const grant = (holder: string, expiresIn: number) => ({
    holder,
    grantedAt: new Date(T0).toISOString(),
    expiresAt: new Date(T0 + expiresIn).toISOString(),
  });

  it('only the holder of an unexpired grant types', () => {
    expect(holdsWrite(view({ state: 'READY', write: grant('alice', 60_000) }), me, T0)).toBe(true);
    expect(holdsWrite(view({ state: 'READY', write: grant('u1', 60_000) }), me, T0)).toBe(true);
    expect(holdsWrite(view({ state: 'READY', write: grant('bob', 60_000) }), me, T0)).toBe(false);
    expect(holdsWrite(view({ state: 'READY', write: grant('alice', -1) }), me, T0)).toBe(false);
    expect(holdsWrite(view({ state: 'READY' }), me, T0)).toBe(false);
    expect(holdsWrite(undefined, me, T0)).toBe(false);
    expect(holdsWrite(view({ write: grant('alice', 60_000) }), null, T0)).toBe(false);
  });

  it('the takeover is mine only when I started it', () => {
    const takeover = { actor: 'alice', startedAt: new Date(T0).toISOString(), shellOpen: true };
    expect(ownsTakeover(view({ takeover }), me)).toBe(true);
    expect(ownsTakeover(view({ takeover: { ...takeover, actor: 'bob' } }), me)).toBe(false);
    expect(ownsTakeover(view({}), me)).toBe(false);
  });

  it('offers start on a running job without an open session, grant or revoke on an open one', () => {
    expect(sessionActions(view({ state: 'DISABLED' }), true)).toEqual({
      start: true,
      grant: false,
      revoke: false,
      end: false,
    });
    expect(sessionActions(view({ state: 'ENDED' }), false).start).toBe(false);
    expect(sessionActions(view({ state: 'REVOKED' }), true).start).toBe(true);
    expect(sessionActions(view({ state: 'READY' }), true)).toEqual({
      start: false,
      grant: true,
      revoke: false,
      end: true,
    });
    expect(sessionActions(view({ state: 'STARTING', write: grant('bob', 1) }), true)).toMatchObject({
      grant: false,
      revoke: true,
    });
  });
});
