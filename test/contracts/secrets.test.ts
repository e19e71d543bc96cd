import { describe, expect, it } from 'vitest';
import { containsSecret, redact, redactDeep } from '../../contracts/secrets.ts';

describe('redaction', () => {
  it('masks token-like strings and credentials in URLs', () => {
    const text =
      'push https://x-access-token:ghp_0123456789abcdefghijklmnopqrstuvwxyz@github.com/a/b with AKIAABCDEFGHIJKLMNOP';
    const out = redact(text);
    expect(out).not.toMatch(/ghp_|AKIA|x-access-token/);
    expect(out).toContain('github.com/a/b');
  });

  it('leaves ordinary text alone', () => {
    const text = 'Step 1 of 3: wrote 12 files; token count 1; see https://github.com/a/b and key=value';
    expect(redact(text)).toBe(text);
    expect(containsSecret(text)).toBe(false);
  });

  it('masks a JWT and a private key inside nested values', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijklmnopqrstuv';
    const out = redactDeep({
      a: [`Bearer ${jwt}`],
      b: { key: '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----' },
    });
    expect(JSON.stringify(out)).not.toMatch(/eyJhbGci|MIIE/);
  });
});
