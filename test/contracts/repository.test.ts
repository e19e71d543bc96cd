import { describe, expect, it } from 'vitest';
import {
  forgesFrom,
  locateRepository,
  parseGitHosts,
  repositoryMatches,
} from '../../contracts/repository.ts';
import { isInternalAddress } from '../../lib/forge-address.ts';

const hosts = parseGitHosts(
  'git.corp.example;api=https://git.corp.example/api/v3;token=env://CORP_TOKEN, gitea.lan:3000',
);
const forges = forgesFrom({
  MOONMIND_GIT_BASE_URL: 'https://github.com',
  MOONMIND_GIT_HOSTS: 'hosts' in hosts ? hosts.hosts : [],
});
const locate = (value: string) => locateRepository(value, forges);

describe('forge hosts and repositories', () => {
  it('reads MOONMIND_GIT_HOSTS entries with their API and token reference, and names a bad entry', () => {
    expect(hosts).toEqual({
      hosts: [
        { host: 'git.corp.example', apiUrl: 'https://git.corp.example/api/v3', tokenRef: 'env://CORP_TOKEN' },
        { host: 'gitea.lan:3000', apiUrl: null, tokenRef: null },
      ],
    });
    expect(parseGitHosts('git.corp.example;token=ghp-raw-value')).toEqual({
      error: 'git.corp.example: token must be a secret reference',
    });
    expect(parseGitHosts('https://x/y')).toMatchObject({ error: expect.stringContaining('host name') });
  });

  it('stores owner/repo for the default forge in every spelling, and https URLs for listed hosts', () => {
    for (const spelling of [
      'acme/widgets',
      'https://github.com/acme/widgets',
      'https://GitHub.com/acme/widgets.git',
      'git@github.com:acme/widgets.git',
    ])
      expect(locate(spelling), spelling).toMatchObject({
        canonical: 'acme/widgets',
        location: { host: null },
      });
    expect(locate('https://git.corp.example/acme/widgets.git')).toMatchObject({
      canonical: 'https://git.corp.example/acme/widgets',
      location: { host: 'git.corp.example', path: 'acme/widgets' },
    });
    expect(locate('git@git.corp.example:group/sub/app.git')).toMatchObject({
      canonical: 'https://git.corp.example/group/sub/app',
    });
  });

  it('refuses other hosts, credentials, other schemes and odd paths', () => {
    const refused = {
      'https://evil.example/acme/widgets': /host evil.example is not a forge this deployment uses/,
      [[`https://x-access-token:${'abc'}`, 'github.com/acme/w'].join('@')]: /must not contain credentials/,
      'http://github.com/acme/widgets': /must use https/,
      'ssh://git@github.com/acme/widgets.git': /must use https \(not ssh:\/\/\)/,
      'file:///etc/passwd': /must use https/,
      'https://github.com/acme/../etc': /repository path/,
      'https://github.com/acme': /repository path/,
      'https://github.com/acme/w?x=1': /query/,
      acme: /must be owner\/repo/,
    };
    for (const [value, message] of Object.entries(refused)) {
      const result = locate(value);
      expect('error' in result && result.error, value).toMatch(message);
    }
  });

  it('policy patterns carry the host for anything but the default forge', () => {
    expect(repositoryMatches('acme/*', 'acme/widgets')).toBe(true);
    expect(repositoryMatches('acme/*', 'https://git.corp.example/acme/widgets')).toBe(false);
    expect(repositoryMatches('git.corp.example/acme/*', 'https://git.corp.example/acme/widgets')).toBe(true);
    expect(repositoryMatches('git.corp.example/acme/widgets', 'https://git.corp.example/ACME/widgets')).toBe(
      true,
    );
    expect(repositoryMatches('git.corp.example/acme/*', 'acme/widgets')).toBe(false);
    expect(repositoryMatches('*', 'https://git.corp.example/x/y')).toBe(true);
  });

  it('knows internal addresses', () => {
    for (const ip of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
    ])
      expect(isInternalAddress(ip), ip).toBe(true);
    for (const ip of ['140.82.112.3', '8.8.8.8', '2606:4700::1111', '172.32.0.1'])
      expect(isInternalAddress(ip), ip).toBe(false);
  });
});
