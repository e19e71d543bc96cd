import { describe, expect, it } from 'vitest';
import { safeNext } from '../../web/src/lib/session.ts';

describe('where sign-in goes next', () => {
  it('follows same-site paths only', () => {
    expect(safeNext('/tasks/queue/abc?x=1')).toBe('/tasks/queue/abc?x=1');
    expect(safeNext('//evil.example/phish')).toBe('/tasks');
    expect(safeNext('/\\evil.example')).toBe('/tasks');
    expect(safeNext('https://evil.example')).toBe('/tasks');
    expect(safeNext(null)).toBe('/tasks');
  });
});
