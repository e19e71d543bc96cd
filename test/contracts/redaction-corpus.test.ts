import { describe, expect, it } from 'vitest';
import { containsSecret, createLineRedactor, redact } from '../../contracts/secrets.ts';
import { credentialCorpus } from './credential-corpus.ts';

const corpus = credentialCorpus();
const multiLine = corpus.filter((s) => s.text.includes('\n'));
console.log(`redaction corpus: ${corpus.length} formats (${multiLine.length} multi-line)`);

describe('redaction corpus', () => {
  it('covers at least 50 distinct formats', () => {
    expect(new Set(corpus.map((s) => s.format)).size).toBeGreaterThanOrEqual(50);
  });

  it.each(corpus.map((s) => [s.format, s] as const))('%s is found and removed', (_format, sample) => {
    expect(containsSecret(sample.text)).toBe(true);
    const out = redact(sample.text);
    for (const secret of sample.secrets) expect(out).not.toContain(secret);
  });

  it.each(corpus.map((s) => [s.format, s] as const))('%s is removed when fed line by line', (_f, sample) => {
    const redactor = createLineRedactor();
    const out = ['before', ...sample.text.split('\n'), 'after'].map((l) => redactor.line(l));
    for (const secret of sample.secrets) expect(out.join('\n')).not.toContain(secret);
    expect([out[0], out.at(-1)]).toEqual(['before', 'after']);
  });
});
