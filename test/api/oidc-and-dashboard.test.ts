import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestApi, type TestApi } from './harness.ts';

/** A minimal OIDC issuer: discovery document + JWKS, and the private key to sign test tokens. */
async function startIssuer() {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  let issuer = '';
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration')
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    else if (req.url === '/jwks') res.end(JSON.stringify({ keys: [jwk] }));
    else res.writeHead(404).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sign = (
    claims: Record<string, unknown>,
    opts: { issuer?: string; audience?: string; key?: CryptoKey } = {},
  ) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(opts.issuer ?? issuer)
      .setAudience(opts.audience ?? 'moonmind')
      .setSubject(String(claims.sub ?? 'user-1'))
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(opts.key ?? privateKey);
  return { issuer, sign, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let t: TestApi;
let idp: Awaited<ReturnType<typeof startIssuer>>;
let webDir: string;

beforeAll(async () => {
  idp = await startIssuer();
  webDir = await mkdtemp(path.join(os.tmpdir(), 'mm-web-'));
  await mkdir(path.join(webDir, 'assets'));
  await writeFile(path.join(webDir, 'index.html'), '<!doctype html><title>MoonMind</title>');
  await writeFile(path.join(webDir, 'assets', 'app-1234.js'), 'console.log(1)');
  t = await startTestApi(
    {
      MOONMIND_OIDC_ISSUER: idp.issuer,
      MOONMIND_OIDC_AUDIENCE: 'moonmind',
      MOONMIND_OIDC_ROLES_CLAIM: 'groups',
    },
    { webDir },
  );
});
afterAll(async () => {
  await t?.close();
  await idp?.close();
  await rm(webDir, { recursive: true, force: true });
});

const me = (token: string) =>
  fetch(`${t.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });

describe('OIDC bearer tokens', () => {
  test('a JWT from the issuer signs in with the highest role its claim names', async () => {
    const token = await idp.sign({
      sub: 'alice-sub',
      preferred_username: 'alice',
      groups: ['viewer', 'operator'],
    });
    const res = await me(token);
    expect(res.status).toBe(200);
    expect((await res.json()).user).toMatchObject({ name: 'alice', role: 'operator' });
    const providers = await (await fetch(`${t.url}/api/auth/providers`)).json();
    expect(providers).toEqual({
      token: true,
      oidc: { enabled: true, issuer: idp.issuer, login: false, name: null },
    });
    const submit = await fetch(`${t.url}/api/queue/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'task',
        payload: { repository: 'acme/oidc', task: { instructions: 'x' } },
      }),
    });
    expect(submit.status).toBe(201);
    expect((await submit.json()).submittedBy.name).toBe('alice');
  });

  test('wrong issuer, wrong audience, foreign key or no role: 401', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const bad = [
      await idp.sign({ groups: ['admin'] }, { issuer: 'http://elsewhere' }),
      await idp.sign({ groups: ['admin'] }, { audience: 'someone-else' }),
      await idp.sign({ groups: ['admin'] }, { key: privateKey }),
      await idp.sign({ groups: ['staff'] }),
      'not.a.jwt',
    ];
    for (const token of bad) expect((await me(token)).status).toBe(401);
  });
});

describe('OIDC workers', () => {
  test('a worker JWT carries its policy scope; it may write only inside it and call no user route', async () => {
    const scope = { jobTypes: ['task'], repositories: ['acme/*'], capabilities: ['*'], scopes: [] };
    const worker = await idp.sign({ sub: 'pool-ci', groups: ['worker'], moonmind_scope: scope });
    const as = (token: string, body: unknown) => ({
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const job = await t.call('/api/queue/jobs', {
      method: 'POST',
      as: 'operator',
      json: { type: 'task', payload: { repository: 'acme/oidc', task: { instructions: 'x' } } },
    });
    const { id } = await job.json();
    const batch = { producer: 'ci:1', events: [{ seq: 1, type: 'log', message: 'hello' }] };
    expect((await fetch(`${t.url}/api/worker/jobs/${id}/events`, as(worker, batch))).status).toBe(202);
    const registration = {
      taskQueue: 'moonmind-pool-ci',
      pool: 'ci',
      hostId: 'ci-1',
      hostQueue: 'moonmind-host-ci-1',
      capabilities: ['codex', 'git'],
      jobTypes: ['task'],
      repositories: ['acme/*'],
    };
    expect((await fetch(`${t.url}/api/worker/register`, as(worker, registration))).status).toBe(200);
    expect((await me(worker)).status).toBe(403);

    const narrow = await idp.sign({
      sub: 'pool-other',
      groups: ['worker'],
      moonmind_scope: { ...scope, repositories: ['other/*'] },
    });
    expect((await fetch(`${t.url}/api/worker/jobs/${id}/events`, as(narrow, batch))).status).toBe(403);
    const unscoped = await idp.sign({ sub: 'pool-x', groups: ['worker'] });
    expect((await fetch(`${t.url}/api/worker/jobs/${id}/events`, as(unscoped, batch))).status).toBe(401);
  });
});

describe('the dashboard', () => {
  test('files, SPA fallback for deep links, and JSON 404s under /api', async () => {
    const index = await fetch(`${t.url}/`);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(await index.text()).toContain('<title>MoonMind</title>');
    const deep = await fetch(`${t.url}/tasks/queue/0b0e1d4c-0000-4000-8000-000000000000`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<title>MoonMind</title>');
    const asset = await fetch(`${t.url}/assets/app-1234.js`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await asset.text()).toBe('console.log(1)');
    const api404 = await fetch(`${t.url}/api/nothing-here`);
    expect(api404.status).toBe(404);
    expect((await api404.json()).error.code).toBe('not_found');
    const wrongMethod = await fetch(`${t.url}/api/tasks/skills`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect((await wrongMethod.json()).error.code).toBe('method_not_allowed');
    expect((await fetch(`${t.url}/../../etc/passwd`)).status).toBe(200);
    expect(await (await fetch(`${t.url}/%2e%2e/%2e%2e/etc/passwd`)).text()).toContain(
      '<title>MoonMind</title>',
    );
  });
});
