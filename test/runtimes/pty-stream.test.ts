import { describe, expect, it } from 'vitest';
import { secretMask } from '../../activities/live/mask.ts';
import { PtyStream } from '../../activities/runtimes/pty-stream.ts';
import { REDACTED } from '../../contracts/secrets.ts';

/** Every way of cutting `text` in two chunks. */
const cuts = (text: string) =>
  Array.from({ length: text.length + 1 }, (_, i) => [text.slice(0, i), text.slice(i)]);

describe('the PTY stream', () => {
  const sentinel = 'MM-END-abc123';
  const text = `one\r\ntwo\r\npartial\r\n${sentinel} 4\r\nafter\r\n`;

  it('ends at the sentinel wherever the chunks are cut, never passing it on', () => {
    for (const chunks of cuts(text)) {
      let raw = '';
      const lines: string[] = [];
      const stream = new PtyStream(
        sentinel,
        (d) => (raw += d),
        (l) => lines.push(l),
      );
      for (const c of chunks) stream.push(c);
      expect(stream.exitStatus).toBe(4);
      expect(raw).toBe('one\r\ntwo\r\npartial');
      expect(lines).toEqual(['one', 'two', 'partial']);
    }
  });

  it('passes everything on when no sentinel comes', () => {
    const lines: string[] = [];
    const stream = new PtyStream(
      sentinel,
      () => {},
      (l) => lines.push(l),
    );
    stream.push('a\r\nb\r\nMM-EN');
    stream.end();
    expect(stream.exitStatus).toBeUndefined();
    expect(lines).toEqual(['a', 'b', 'MM-EN']);
  });
});

describe('the key mask of a raw stream', () => {
  // Any string the runtime was given as its key (not one shaped like a real credential).
  const key = 'runtime-key-of-this-step';
  it('masks a key split across chunks', () => {
    for (const [a, b] of cuts(`before ${key} after s`)) {
      const mask = secretMask(key);
      expect(mask.push(a) + mask.push(b) + mask.flush()).toBe(`before ${REDACTED} after s`);
    }
  });
});
