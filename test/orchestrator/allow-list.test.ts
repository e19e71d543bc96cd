import { describe, expect, it } from 'vitest';
import { globRegExp, protectedFilesOf, refusalFor } from '../../activities/orchestrator/allow-list.ts';
import { type ServiceProfile, serviceProfileSchema } from '../../contracts/service-profiles.ts';

const profile = (over: Record<string, unknown> = {}): ServiceProfile =>
  serviceProfileSchema.parse({
    runner: 'process',
    root: '/srv/app',
    editable: ['config.json', 'src/**', 'Dockerfile', '*.lock', '**/*.env', 'docker-compose.yml'],
    health: { url: 'http://127.0.0.1:1/health' },
    ...over,
  });

describe('what a patch may change', () => {
  it('matches editable globs: ** at any depth (none too), * and ? within a segment', () => {
    expect(globRegExp('src/**').test('src/a/b.ts')).toBe(true);
    expect(globRegExp('src/**').test('srcx/a')).toBe(false);
    expect(globRegExp('**/*.ts').test('a.ts')).toBe(true);
    expect(globRegExp('**/*.ts').test('x/y/a.ts')).toBe(true);
    expect(globRegExp('*.lock').test('deps/yarn.lock')).toBe(false);
    expect(globRegExp('v?.txt').test('v1.txt')).toBe(true);
    expect(globRegExp('a.b').test('axb')).toBe(false);
  });

  it('refuses paths outside the editable globs, and protected files even when a glob names them', () => {
    const p = profile();
    expect(refusalFor('config.json', p, false)).toBeNull();
    expect(refusalFor('src/deep/file.ts', p, false)).toBeNull();
    expect(refusalFor('server.mjs', p, false)).toBe('not in the editable paths');
    expect(refusalFor('docker-compose.yml', p, true)).toBe('protected file');
    expect(refusalFor('conf/prod.env', p, true)).toBe('protected file');
    expect(refusalFor('src/secrets.json', p, true)).toBe('protected file');
    expect(refusalFor('src/.env.local', p, true)).toBe('protected file');
  });

  it('lets an approved run change protected files only when the profile allows them', () => {
    const p = profile({ allowProtectedFiles: true });
    expect(refusalFor('docker-compose.yml', p, false)).toBe('protected file (needs an approved run)');
    expect(refusalFor('docker-compose.yml', p, true)).toBeNull();
    expect(protectedFilesOf(['config.json', 'docker-compose.yml', 'a/b.env'], p)).toEqual([
      'docker-compose.yml',
      'a/b.env',
    ]);
    expect(protectedFilesOf(['docker-compose.yml'], profile())).toEqual([]);
  });

  it('treats the profile’s own compose file as protected whatever its name', () => {
    const p = profile({ runner: 'compose', compose: { file: 'deploy/stack.yml' }, editable: ['deploy/**'] });
    expect(refusalFor('deploy/stack.yml', p, false)).toBe('protected file');
    expect(refusalFor('deploy/other.yml', p, false)).toBeNull();
  });
});
