import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../contracts/config.ts';
import { startTestApi, type TestApi } from './harness.ts';

// A token an operator pasted from their own secret store: no `mm_` prefix, punctuation included.
const chosen = ['Op3rator/Chosen+Secret', 'Value.from_vault~2026'].join('=');

describe('MOONMIND_ADMIN_TOKEN', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({ MOONMIND_ADMIN_TOKEN: chosen });
  });
  afterAll(async () => t?.close());

  it('signs in as admin whatever its shape, and a wrong value is still a 401', async () => {
    const me = await fetch(`${t.url}/api/auth/me`, { headers: { authorization: `Bearer ${chosen}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ user: { role: 'admin' } });
    const admin = await fetch(`${t.url}/api/admin/users`, { headers: { authorization: `Bearer ${chosen}` } });
    expect(admin.status).toBe(200);
    const signIn = await fetch(`${t.url}/api/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: chosen }),
    });
    expect(signIn.status).toBe(200);
    expect(signIn.headers.get('set-cookie')).toContain('mm_session=');
    const wrong = await fetch(`${t.url}/api/auth/me`, { headers: { authorization: `Bearer ${chosen}x` } });
    expect(wrong.status).toBe(401);
  });

  it('a value that could never sign in is refused at start, naming the variable and the rule', () => {
    expect(() => loadConfig({ MOONMIND_ADMIN_TOKEN: 'has a space in it, sadly' })).toThrow(
      /MOONMIND_ADMIN_TOKEN: must be printable ASCII without spaces/,
    );
  });
});
