import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGitHub, startFakeGitHub } from '../fakes/fake-github.ts';
import { type FakeVault, startFakeVault } from '../fakes/fake-vault.ts';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { type HttpsGit, makeCertificate, startHttpsGit } from '../support/https-git.ts';
import { listEvents, submitJob, waitForJob, waitForStatus } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';

/** The token a recorded git request carried (git sends `Basic base64(x-access-token:<token>)`). */
const tokenOf = (authorization: string | null) =>
  authorization
    ? Buffer.from(authorization.replace(/^Basic /, ''), 'base64')
        .toString()
        .split(':')[1]
    : null;
const secret = (name: string) => `${name}-${randomBytes(12).toString('hex')}`;

describe('forge hosts: a credential only ever goes to the host it belongs to (real git over HTTPS, Temporal, PostgreSQL)', () => {
  let stack: Stack;
  let remote: GitRemote;
  let hostA: HttpsGit;
  let hostB: HttpsGit;
  let apiA: FakeGitHub;
  let apiB: FakeGitHub;
  let vault: FakeVault;
  const tokens = {
    A: secret('host-a'),
    B: secret('host-b'),
    read: secret('read'),
    publish: secret('publish'),
    vault: secret('vault'),
  };

  beforeAll(async () => {
    remote = await createGitRemote(['acme/widgets', 'acme/moved', 'acme/default']);
    const cert = await makeCertificate();
    [hostA, hostB, apiA, apiB, vault] = await Promise.all([
      startHttpsGit(remote.root, cert, 'localhost'),
      startHttpsGit(remote.root, cert, '127.0.0.1'),
      startFakeGitHub(),
      startFakeGitHub(),
      startFakeVault(secret('vault-token')),
    ]);
    vault.secrets.set('kv/forge/b', { token: tokens.vault });
    const forgeEnv = {
      MOONMIND_GIT_BASE_URL: remote.baseUrl,
      MOONMIND_GIT_HOSTS: [
        `${hostA.host};api=${apiA.url};token=env://FORGE_A_TOKEN`,
        `${hostB.host};api=${apiB.url};token=env://FORGE_B_TOKEN`,
      ].join(','),
    };
    stack = await startStack({
      apiEnv: forgeEnv,
      workers: [
        {
          pool: 'forge',
          capabilities: ['codex', 'git', 'gh'],
          // Host-qualified patterns: this pool serves acme on the two listed hosts, not the default forge's acme.
          repositories: [`${hostA.host}/acme/*`, `${hostB.host}/acme/*`],
          env: {
            ...forgeEnv,
            GIT_SSL_CAINFO: cert.certFile,
            FORGE_A_TOKEN: tokens.A,
            FORGE_B_TOKEN: tokens.B,
            REPO_READ_TOKEN: tokens.read,
            PUBLISH_TOKEN: tokens.publish,
            MOONMIND_VAULT_ADDR: vault.url,
            MOONMIND_VAULT_TOKEN: vault.token,
          },
        },
      ],
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await Promise.all([hostA, hostB, apiA, apiB, vault].map((s) => s?.close()));
  });

  it('refuses repositories on unlisted hosts, with credentials, or over other schemes, naming payload.repository', async () => {
    for (const repository of [
      'https://evil.example/acme/widgets',
      [`https://user:${'pw'}`, `${hostA.host}/acme/widgets`].join('@'),
      `http://${hostA.host}/acme/widgets`,
      'ssh://git@evil.example/acme/widgets.git',
      'https://127.0.0.1/acme/widgets',
      'https://169.254.169.254/latest/meta-data',
    ]) {
      const res = await stack.api('/api/queue/jobs', {
        method: 'POST',
        json: { type: 'task', payload: { repository, task: { instructions: 'x' } } },
      });
      expect(res.status, repository).toBe(400);
      const body = await res.json();
      expect(body.error.issues.map((i: { path: string }) => i.path)).toEqual(['payload.repository']);
      expect(JSON.stringify(body)).not.toContain('user:pw');
    }
  });

  it("clones and pushes with host A's token only to host A, and opens the PR on host A's API", async () => {
    const job = await submitJob(stack, {
      repository: `${hostA.url}/acme/widgets.git`,
      task: { instructions: 'Write notes', publish: { mode: 'pr' } },
    });
    expect(job.repository).toBe(`https://${hostA.host}/acme/widgets`);
    const done = await waitForStatus(stack, job.id, ['succeeded', 'failed', 'dead_letter']);
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(await remote.branchFile('acme/widgets', done.branch!, 'AGENT_NOTES.md')).toContain('STEP 1/1');
    const git = hostA.requests.filter((r) => r.path.startsWith('/acme/widgets.git'));
    expect(git.some((r) => r.path.includes('git-upload-pack'))).toBe(true);
    expect(git.some((r) => r.path.includes('git-receive-pack'))).toBe(true);
    expect(new Set(git.map((r) => tokenOf(r.authorization)))).toEqual(new Set([tokens.A]));
    expect(hostB.requests).toEqual([]);
    expect(apiA.requests.map((r) => r.authorization)).toContain(`Bearer ${tokens.A}`);
    expect(apiA.pulls).toHaveLength(1);
    expect(apiB.requests).toEqual([]);
  });

  it('uses repoAuthRef for clone and fetch and publishAuthRef for push and the pull request, on host B', async () => {
    const before = hostB.requests.length;
    const job = await submitJob(stack, {
      repository: `${hostB.url}/acme/widgets`,
      auth: { repoAuthRef: 'env://REPO_READ_TOKEN', publishAuthRef: ['$', '{PUBLISH_TOKEN}'].join('') },
      task: { instructions: 'Write notes', publish: { mode: 'pr' } },
    });
    const done = await waitForStatus(stack, job.id, ['succeeded', 'failed', 'dead_letter']);
    expect(done.status, done.error ?? '').toBe('succeeded');
    const seen = hostB.requests.slice(before);
    const pulls = seen.filter((r) => r.path.includes('upload-pack'));
    const pushes = seen.filter((r) => r.path.includes('receive-pack'));
    expect(pulls.length).toBeGreaterThan(0);
    expect(pushes.length).toBeGreaterThan(0);
    expect(new Set(pulls.map((r) => tokenOf(r.authorization)))).toEqual(new Set([tokens.read]));
    expect(new Set(pushes.map((r) => tokenOf(r.authorization)))).toEqual(new Set([tokens.publish]));
    expect(apiB.requests.map((r) => r.authorization)).toContain(`Bearer ${tokens.publish}`);
    expect(JSON.stringify(await listEvents(stack, job.id))).not.toContain(tokens.publish);
  });

  it('resolves a vault:// reference at the last moment', async () => {
    const before = hostB.requests.length;
    const job = await submitJob(stack, {
      repository: `${hostB.url}/acme/widgets`,
      auth: { repoAuthRef: 'vault://kv/forge/b#token' },
      task: { instructions: 'Write notes', publish: { mode: 'branch' } },
    });
    const done = await waitForStatus(stack, job.id, ['succeeded', 'failed', 'dead_letter']);
    expect(done.status, done.error ?? '').toBe('succeeded');
    const used = new Set(hostB.requests.slice(before).map((r) => tokenOf(r.authorization)));
    expect(used).toEqual(new Set([tokens.vault]));
    expect(vault.requests.some((r) => r.path === '/v1/kv/data/forge/b')).toBe(true);
  });

  it('an unresolvable reference fails the run as a task failure naming the reference', async () => {
    const job = await submitJob(stack, {
      repository: `${hostA.url}/acme/widgets`,
      auth: { repoAuthRef: 'env://NOT_ON_THIS_WORKER' },
      task: { instructions: 'Write notes', publish: { mode: 'branch' } },
    });
    const done = await waitForStatus(stack, job.id, ['succeeded', 'failed', 'dead_letter']);
    expect(done.status).toBe('failed');
    expect(done.error).toContain('env://NOT_ON_THIS_WORKER');
    expect(done.attempt).toBe(1);
  });

  it('a redirect to another host is not followed, so that host never sees the token', async () => {
    hostA.redirect('/acme/moved.git', hostB.url);
    const before = hostB.requests.length;
    const job = await submitJob(
      stack,
      {
        repository: `${hostA.url}/acme/moved`,
        task: { instructions: 'Write notes', publish: { mode: 'branch' } },
      },
      { maxAttempts: 1 },
    );
    const done = await waitForStatus(stack, job.id, ['succeeded', 'failed', 'dead_letter']);
    expect(done.status).not.toBe('succeeded');
    expect(hostA.requests.some((r) => r.path.startsWith('/acme/moved.git'))).toBe(true);
    expect(hostB.requests.slice(before)).toEqual([]);
  });

  it("policy matches host plus path: this pool's acme/* patterns do not cover the default forge's acme", async () => {
    const job = await submitJob(stack, {
      repository: 'acme/default',
      task: { instructions: 'Write notes', publish: { mode: 'none' } },
    });
    const view = await waitForJob(stack, job.id, (j) => Boolean(j.waitingReason));
    expect(view.status).toBe('queued');
    expect(view.waitingReason).toMatch(/no worker pool is registered for task jobs on acme\/default/);
    await stack.api(`/api/queue/jobs/${view.id}/cancel`, { method: 'POST', json: {} });
  });
});
