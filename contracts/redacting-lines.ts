import { Transform } from 'node:stream';
import { createLineRedactor } from './secrets.ts';

/**
 * A Node stream that redacts text line by line, so large files stream without being held in memory; the
 * redactor carries state across lines, so a private key block is masked whole. Used by the worker (artifact
 * uploads) and the API (artifact ingest), hence here rather than under either; Node-only, unlike the rest
 * of contracts/.
 */
export function redactingLines(): Transform {
  const redactor = createLineRedactor();
  let rest = '';
  const redactLines = (text: string) =>
    text
      .split('\n')
      .map((line) => redactor.line(line))
      .join('\n');
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const text = rest + chunk.toString('utf8');
      const cut = text.lastIndexOf('\n');
      if (cut < 0) {
        rest = text;
        return done();
      }
      rest = text.slice(cut + 1);
      done(null, `${redactLines(text.slice(0, cut))}\n`);
    },
    flush(done) {
      done(null, rest ? redactLines(rest) : undefined);
    },
  });
}
