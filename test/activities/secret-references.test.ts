import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretResolver } from '../../activities/secrets/references.ts';
import { type FakeVault, startFakeVault } from '../fakes/fake-vault.ts';

describe('secret references, resolved on the worker', () => {
  let vault: FakeVault;
  const vaultToken = `vault-${Math.random().toString(36).slice(2)}`;
  const value = `forge-${Math.random().toString(36).slice(2)}`;
  beforeAll(async () => {
    vault = await startFakeVault(vaultToken);
    vault.secrets.set('kv/teams/widgets', { token: value });
  });
  afterAll(() => vault?.close());

  const env = { CORP_TOKEN: value, MOONMIND_WORKER_TOKEN: 'the-worker-own-token' };

  it('reads env://NAME and the braced NAME form from the worker environment', async () => {
    const r = secretResolver(env, {});
    expect(await r.resolve('env://CORP_TOKEN')).toBe(value);
    const braced = ['$', '{CORP_TOKEN}'].join(''); // the `${NAME}` form, spelled without a template
    expect(await r.resolve(braced)).toBe(value);
  });

  it('reads vault://mount/path#field from Vault KV v2, with the token from a setting or a file', async () => {
    expect(
      await secretResolver({}, { addr: vault.url, token: vaultToken }).resolve(
        'vault://kv/teams/widgets#token',
      ),
    ).toBe(value);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mm-vault-'));
    await writeFile(path.join(dir, 'token'), `${vaultToken}\n`);
    const fromFile = secretResolver({}, { addr: vault.url, tokenFile: path.join(dir, 'token') });
    expect(await fromFile.resolve('vault://kv/teams/widgets#token')).toBe(value);
    expect(vault.requests.at(-1)).toEqual({ path: '/v1/kv/data/teams/widgets', token: vaultToken });
  });

  it('fails with a message naming the reference and never a value', async () => {
    const cases: [string, ReturnType<typeof secretResolver>, RegExp][] = [
      [
        'env://NOT_SET_ANYWHERE',
        secretResolver(env, {}),
        /env:\/\/NOT_SET_ANYWHERE: NOT_SET_ANYWHERE is not set/,
      ],
      ['env://MOONMIND_WORKER_TOKEN', secretResolver(env, {}), /names a worker setting/],
      [
        'vault://kv/teams/widgets#password',
        secretResolver({}, { addr: vault.url, token: vaultToken }),
        /has no field password/,
      ],
      [
        'vault://kv/teams/other#token',
        secretResolver({}, { addr: vault.url, token: vaultToken }),
        /no such secret/,
      ],
      ['vault://kv/teams/widgets#token', secretResolver({}, { addr: vault.url, token: 'wrong' }), /HTTP 403/],
      ['vault://kv/teams/widgets#token', secretResolver({}, {}), /MOONMIND_VAULT_ADDR is not set/],
      ['profile://team', secretResolver({}, {}), /profile references are not configured/],
    ];
    for (const [ref, resolver, message] of cases) {
      const err = await resolver.resolve(ref).then(
        () => null,
        (e: Error) => e,
      );
      expect(err?.message, ref).toMatch(message);
      expect(err?.message).toContain(ref);
      expect(err?.message).not.toContain(value);
      expect(err?.message).not.toContain('the-worker-own-token');
    }
  });
});
