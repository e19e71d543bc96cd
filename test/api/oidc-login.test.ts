import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type FakeOidc, startFakeOidc } from '../fakes/fake-oidc.ts';
import { type Stack, startStack } from '../support/stack.ts';

/**
 * Browser OIDC sign-in against the real API and a fake provider, driven with fetch and manual redirects the
 * way a browser follows them, with one cookie jar per "browser".
 */
let idp: FakeOidc;
let stack: Stack;

beforeAll(async () => {
  idp = await startFakeOidc({
    rolesClaim: 'groups',
    users: [
      { sub: 'alice-sub', username: 'alice', email: 'alice@example.com', roles: ['viewer', 'operator'] },
      { sub: 'bob-sub', username: 'bob', roles: ['admin'] },
      { sub: 'carol-sub', username: 'carol', roles: ['staff'] },
      { sub: 'mallory-sub', username: 'admin', roles: ['viewer'] },
    ],
  });
  stack = await startStack({
    apiEnv: {
      MOONMIND_OIDC_ISSUER: idp.issuer,
      MOONMIND_OIDC_ROLES_CLAIM: 'groups',
      MOONMIND_OIDC_CLIENT_ID: idp.clientId,
      MOONMIND_OIDC_CLIENT_SECRET: idp.clientSecret,
      MOONMIND_OIDC_NAME: 'Fake IdP',
    },
  });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await idp?.close();
});

/** A browser: a cookie jar and GETs that do not follow redirects. */
function browser() {
  const jar = new Map<string, string>();
  const get = async (url: string) => {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(new URL(url, stack.apiUrl), {
      redirect: 'manual',
      headers: cookie ? { cookie } : {},
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      if (!value || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    await res.arrayBuffer();
    return {
      status: res.status,
      location: res.headers.get('location') ?? '',
      setCookies: res.headers.getSetCookie(),
    };
  };
  return {
    jar,
    get,
    /** login → provider → the callback URL the provider sends the browser to (not yet followed). */
    async toProvider(next = '/tasks') {
      const login = await get(`/api/auth/oidc/login?next=${encodeURIComponent(next)}`);
      expect(login.status).toBe(302);
      const back = await get(login.location);
      expect(back.status).toBe(302);
      return { authorizeUrl: new URL(login.location), callbackUrl: new URL(back.location) };
    },
    async signIn(next?: string) {
      const { callbackUrl } = await this.toProvider(next);
      return get(callbackUrl.toString());
    },
    me: () =>
      fetch(`${stack.apiUrl}/api/auth/me`, {
        headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
      }),
  };
}

const signInError = (location: string) => {
  const url = new URL(location, stack.apiUrl);
  expect(url.pathname).toBe('/sign-in');
  return url.searchParams.get('error');
};

describe('browser OIDC sign-in', () => {
  test('the providers route offers it under its display name', async () => {
    const res = await fetch(`${stack.apiUrl}/api/auth/providers`);
    expect(await res.json()).toEqual({
      token: true,
      oidc: { enabled: true, issuer: idp.issuer, login: true, name: 'Fake IdP' },
    });
  });

  test('full redirect dance: PKCE S256, state and nonce; lands on next with a working cookie session', async () => {
    idp.signInAs('alice-sub');
    const b = browser();
    const { authorizeUrl, callbackUrl } = await b.toProvider('/tasks/queue/abc?tab=logs');
    const q = authorizeUrl.searchParams;
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${idp.issuer}/authorize`);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(q.get('state')).toBeTruthy();
    expect(q.get('nonce')).toBeTruthy();
    expect(q.get('redirect_uri')).toBe(`${stack.apiUrl}/api/auth/oidc/callback`);
    expect(q.get('scope')).toBe('openid profile email');
    expect(b.jar.has('mm_oidc')).toBe(true);

    const done = await b.get(callbackUrl.toString());
    expect(done.status).toBe(302);
    expect(done.location).toBe('/tasks/queue/abc?tab=logs');
    expect(done.setCookies.find((c) => c.startsWith('mm_session='))).toMatch(/httponly/i);
    expect(b.jar.has('mm_oidc')).toBe(false);
    const me = await b.me();
    expect(me.status).toBe(200);
    const body = await me.json();
    expect(body.user).toMatchObject({ name: 'alice', role: 'operator' });
    expect(body.csrfToken).toEqual(expect.any(String));
    // Nothing secret in what the browser was sent back to.
    expect(done.location).not.toContain('code=');

    // The session writes like a token-signed-in one: with the CSRF token.
    const cookie = [...b.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const submit = (headers: Record<string, string>) =>
      fetch(`${stack.apiUrl}/api/queue/jobs`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({
          type: 'task',
          payload: { repository: 'acme/oidc', task: { instructions: 'x' } },
        }),
      });
    expect((await submit({})).status).toBe(403);
    const ok = await submit({ 'x-csrf-token': body.csrfToken });
    expect(ok.status).toBe(201);
    expect((await ok.json()).submittedBy.name).toBe('alice');

    // A replayed callback (same code, cookie spent) signs no one in.
    const replay = await browser().get(callbackUrl.toString());
    expect(signInError(replay.location)).toBe('oidc_state');
  });

  test('a state that is not the one this browser started with is refused', async () => {
    const victim = browser();
    await victim.toProvider();
    const attacker = browser();
    const { callbackUrl } = await attacker.toProvider();
    // The attacker's callback (code + state) opened in the victim's browser: login CSRF.
    const res = await victim.get(callbackUrl.toString());
    expect(signInError(res.location)).toBe('oidc_state');
    expect((await victim.me()).status).toBe(401);
    // No cookie at all, or a forged one, is the same refusal.
    const bare = await browser().get(callbackUrl.toString());
    expect(signInError(bare.location)).toBe('oidc_state');
    const forged = browser();
    await forged.toProvider();
    forged.jar.set('mm_oidc', `${forged.jar.get('mm_oidc')?.split('.')[0]}.AAAA`);
    const res2 = await forged.get(callbackUrl.toString());
    expect(signInError(res2.location)).toBe('oidc_state');
  });

  test('a code issued for another PKCE challenge is refused by the token endpoint', async () => {
    const victim = browser();
    const mine = await victim.toProvider();
    const { callbackUrl: stolen } = await browser().toProvider();
    // The victim's own state, someone else's code: the victim's verifier does not match that code.
    const injected = new URL(mine.callbackUrl);
    injected.searchParams.set('code', stolen.searchParams.get('code') as string);
    const before = idp.refusals.length;
    const res = await victim.get(injected.toString());
    expect(signInError(res.location)).toBe('oidc_exchange');
    expect(idp.refusals.slice(before)).toEqual(['pkce']);
    expect((await victim.me()).status).toBe(401);
  });

  test('roles come from the configured claim; no MoonMind role means no sign-in', async () => {
    idp.signInAs('bob-sub');
    const bob = browser();
    await bob.signIn();
    expect((await (await bob.me()).json()).user).toMatchObject({ name: 'bob', role: 'admin' });

    idp.signInAs('carol-sub');
    const carol = browser();
    const res = await carol.signIn();
    expect(signInError(res.location)).toBe('oidc_role');
    expect((await carol.me()).status).toBe(401);
    const [row] = await stack.db.sql`SELECT 1 FROM users WHERE name = 'carol'`;
    expect(row).toBeUndefined();
  });

  test('an IdP user named like a local user gets its own account, not the local one', async () => {
    idp.signInAs('mallory-sub');
    const b = browser();
    await b.signIn();
    const { user } = await (await b.me()).json();
    expect(user.role).toBe('viewer');
    expect(user.name).toBe('admin (mallory-sub)');
    const [admin] = await stack.db.sql`SELECT role FROM users WHERE name = 'admin'`;
    expect(admin.role).toBe('admin');
  });

  test('an id_token with a wrong nonce, audience or expiry is refused', async () => {
    idp.signInAs('alice-sub');
    for (const claims of [
      { nonce: 'replayed-nonce' },
      { aud: 'another-client' },
      { exp: Math.floor(Date.now() / 1000) - 600 },
    ]) {
      const b = browser();
      idp.tamperNextIdToken(claims);
      const res = await b.signIn();
      expect(signInError(res.location), JSON.stringify(claims)).toBe('oidc_token');
      expect((await b.me()).status).toBe(401);
    }
  });

  test('a user an admin disabled cannot sign in again', async () => {
    idp.signInAs('bob-sub');
    await stack.db.sql`UPDATE users SET disabled_at = now() WHERE name = 'bob'`;
    const b = browser();
    const res = await b.signIn();
    expect(signInError(res.location)).toBe('oidc_disabled');
    expect((await b.me()).status).toBe(401);
    await stack.db.sql`UPDATE users SET disabled_at = NULL WHERE name = 'bob'`;
  });

  test('next is followed only when it is a same-origin path', async () => {
    idp.signInAs('alice-sub');
    for (const next of [
      'https://evil.example/tasks',
      '//evil.example/tasks',
      '/\\evil.example',
      '/tasks\n/x',
      'javascript:alert(1)',
    ]) {
      const res = await browser().signIn(next);
      expect(res.status, next).toBe(302);
      expect(res.location, next).toBe('/tasks');
    }
    expect((await browser().signIn('/tasks/queue?state=queued')).location).toBe('/tasks/queue?state=queued');
  });

  test('a provider error ends on the sign-in page, keeping next', async () => {
    const b = browser();
    const { callbackUrl } = await b.toProvider('/tasks/queue');
    const denied = new URL(callbackUrl);
    denied.searchParams.delete('code');
    denied.searchParams.set('error', 'access_denied');
    const res = await b.get(denied.toString());
    const url = new URL(res.location, stack.apiUrl);
    expect(url.searchParams.get('error')).toBe('oidc_denied');
    expect(url.searchParams.get('next')).toBe('/tasks/queue');
  });
});
