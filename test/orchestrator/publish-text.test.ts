import { describe, expect, it } from 'vitest';
import {
  publishBody,
  publishBranch,
  publishTitle,
  repositoryOfRemote,
} from '../../activities/orchestrator/publish-text.ts';

describe('orchestrator publish text', () => {
  it('names the branch after the run and titles the fix with the service and the instruction', () => {
    expect(publishBranch('0f1e2d3c-aaaa-bbbb-cccc-000000000000')).toBe('moonmind/orchestrator-0f1e2d3c');
    expect(publishTitle('api', '\n  Fix the port.\nFAKE_EDITS=x')).toBe('api: Fix the port.');
    expect(publishTitle('api', 'x'.repeat(200))).toHaveLength(72);
  });

  it('reads a remote under the default forge as owner/repo and leaves other remotes to the forge rules', () => {
    expect(repositoryOfRemote('file:///srv/git/acme/shop.git\n', 'file:///srv/git/')).toBe('acme/shop');
    expect(repositoryOfRemote('https://github.com/acme/shop.git', 'https://github.com')).toBe('acme/shop');
    expect(repositoryOfRemote('git@git.corp:acme/shop.git', 'https://github.com')).toBe(
      'git@git.corp:acme/shop.git',
    );
    // A sibling of the base directory is not under it.
    expect(repositoryOfRemote('file:///srv/gitx/acme/shop.git', 'file:///srv/git')).toBe(
      'file:///srv/gitx/acme/shop.git',
    );
  });

  it("the pull request's body holds the rationale, the files and the diff summary", () => {
    const body = publishBody({
      runId: 'r-1',
      service: 'api',
      rationale: 'the port moved',
      files: ['config.json'],
      diffStat: ' config.json | 2 +-\n',
    });
    expect(body).toContain('the port moved');
    expect(body).toContain('- `config.json`');
    expect(body).toContain(' config.json | 2 +-');
    expect(body).toContain('MoonMind Orchestrator Run: r-1');
  });
});
