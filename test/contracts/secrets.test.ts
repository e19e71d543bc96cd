import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  containsSecret,
  createLineRedactor,
  findSecretPaths,
  REDACTED,
  redact,
  redactDeep,
} from '../../contracts/secrets.ts';

// Samples are assembled at run time so this file itself holds no credential-looking string.
const ghToken = `ghp_${'0123456789abcdefghijklmnopqrstuvwxyz'}`;
const awsKeyId = `AKIA${'ABCDEFGHIJKLMNOP'}`;
const rsaPem = () =>
  generateKeyPairSync('rsa', { modulusLength: 1024 })
    .privateKey.export({ type: 'pkcs1', format: 'pem' })
    .toString();

describe('redaction', () => {
  it('masks token-like strings and credentials in URLs', () => {
    const text = `push https://x-access-token:${ghToken}@github.com/a/b with ${awsKeyId}`;
    const out = redact(text);
    expect(out).not.toMatch(/ghp_|AKIA|x-access-token/);
    expect(out).toContain('github.com/a/b');
  });

  it('leaves ordinary text alone', () => {
    const text = 'Step 1 of 3: wrote 12 files; token count 1; see https://github.com/a/b and key=value';
    expect(redact(text)).toBe(text);
    expect(containsSecret(text)).toBe(false);
  });

  it.each([
    ['a git SHA', createHash('sha1').update('x').digest('hex')],
    ['a SHA-256 after "token"', `token ${createHash('sha256').update('x').digest('hex')}`],
    ['a UUID', `Bearer ${randomUUID()}`],
    ['base64 of ordinary text', btoa('The quick brown fox jumps over the lazy dog, twice over')],
    ['camelCase identifiers', 'const accessTokenRefreshHandler = createAuthenticationProviderFactory()'],
    [
      'words after Basic/Bearer/token',
      'Basic AuthenticationProviderFactory; Bearer authenticationMiddleware; token refreshInterval',
    ],
    ['a user-only URL', 'ssh://git@git.example.com/acme/widgets.git and git@github.com:acme/widgets.git'],
    [
      'placeholder passwords',
      'postgres://moonmind:secret@db.internal:5432/moonmind https://user:password@h/x',
    ],
    [
      'template passwords',
      ['https://bot:$', '{TOKEN}@h/x https://bot:<password>@h/x https://bot:***@h/x'].join(''),
    ],
  ])('leaves %s alone', (_what, text) => {
    expect(containsSecret(text)).toBe(false);
    expect(redact(text)).toBe(text);
  });

  it('masks a JWT and a private key inside nested values', () => {
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const jwt = `${part({ alg: 'HS256' })}.${part({ sub: '1234567890' })}.${'abcdefghijklmnopqrstuv'}`;
    const pem = rsaPem();
    const out = redactDeep({ a: [`Bearer ${jwt}`], b: { key: pem } });
    const body = pem.split('\n')[1];
    expect(JSON.stringify(out)).not.toContain(jwt.slice(0, 20));
    expect(JSON.stringify(out)).not.toContain(body);
  });
});

describe('line redactor', () => {
  it('masks a private key fed line by line, from BEGIN to END, and what follows stays', () => {
    const pem = rsaPem().trimEnd();
    const r = createLineRedactor();
    const out = ['before', ...pem.split('\n'), 'after'].map((l) => r.line(l));
    expect(out[0]).toBe('before');
    expect(out.at(-1)).toBe('after');
    expect(out.slice(1, -1).every((l) => l === REDACTED)).toBe(true);
  });

  it('ends a block whose END never comes after a few lines without key material, and keeps those lines', () => {
    const [begin, body] = rsaPem().split('\n');
    const prose = ['Now running the tests.', 'All green.', 'Committing.', 'Pushing.', 'Done.'];
    const r = createLineRedactor();
    const out = [begin, body, ...prose, 'ArchitectureDecisionRecords'].map((l) => r.line(l));
    // The last line is base64-shaped: inside a block it would be masked, so the block has ended.
    expect(out).toEqual([REDACTED, REDACTED, ...prose, 'ArchitectureDecisionRecords']);
  });

  it('masks key material carried inside JSON event lines', () => {
    const [begin, body] = rsaPem().split('\n');
    const r = createLineRedactor();
    const lines = [{ content: `${begin}\n` }, { content: `${body}\n` }].map((e) => r.line(JSON.stringify(e)));
    expect(lines.join('\n')).not.toContain(body);
    // The event's display text (the agent message alone) is redacted with the same state.
    expect(r.rendering(body)).toBe(REDACTED);
    expect(r.line('{"content":"done"}')).toBe('{"content":"done"}');
    expect(r.rendering('Done, see src/components/SomethingLong.tsx')).toBe(
      'Done, see src/components/SomethingLong.tsx',
    );
  });
});

describe('deep values', () => {
  // Built as JSON text, the way a request body arrives: `{"k":[{"k":[...]}]}`.
  const nested = (depth: number, leaf: string) =>
    JSON.parse(`${'{"k":['.repeat(depth / 2)}${JSON.stringify(leaf)}${']}'.repeat(depth / 2)}`) as unknown;
  /** The innermost value, walked without recursion (JSON.stringify itself overflows at this depth). */
  const leafOf = (value: unknown) => {
    let v = value;
    while (typeof v === 'object' && v) v = Array.isArray(v) ? v[0] : (v as { k: unknown }).k;
    return v;
  };

  it('finds and masks a credential 10,000 levels deep without overflowing the stack', () => {
    const deep = nested(10_000, `use ${ghToken}`);
    const paths = findSecretPaths(deep);
    expect(paths).toHaveLength(1);
    expect(paths[0]).toHaveLength(10_000);
    expect(leafOf(redactDeep(deep))).toBe(`use ${REDACTED}`);
    expect(leafOf(deep)).toBe(`use ${ghToken}`);
  });

  it('reports paths in document order, keys included, and keeps key order and __proto__ keys', () => {
    const value = JSON.parse(
      `{"a":"ok","b":["x","${ghToken}"],"${awsKeyId}":1,"__proto__":{"c":"${ghToken}"},"z":"ok"}`,
    );
    expect(findSecretPaths(value)).toEqual([['b', 1], [awsKeyId], ['__proto__', 'c']]);
    const out = redactDeep(value);
    expect(Object.keys(out)).toEqual(['a', 'b', REDACTED, '__proto__', 'z']);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ c: REDACTED });
  });
});
