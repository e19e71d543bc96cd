import { describe, expect, test } from 'vitest';
import { jobOutsideScope, registrationOutsideScope } from '../../api/auth/scope.ts';

const scope = {
  jobTypes: ['task'],
  repositories: ['acme/*', 'solo/one'],
  capabilities: ['codex', 'git'],
  scopes: [],
};

describe('worker policy scope', () => {
  test('a job is inside when its type, repository and capabilities are allowed', () => {
    const job = {
      type: 'task',
      repository: 'Acme/widgets',
      requiredCapabilities: ['codex', 'git'],
    };
    expect(jobOutsideScope(scope, job)).toBeNull();
    // A run that stored a URL on the default forge (older runs) matches with that forge's host.
    expect(
      jobOutsideScope(scope, { ...job, repository: 'https://github.com/Acme/widgets.git' }, 'github.com'),
    ).toBeNull();
    // The host is part of the repository: acme on another forge is not this scope's acme.
    expect(jobOutsideScope(scope, { ...job, repository: 'https://git.corp.example/acme/widgets' })).toMatch(
      /repository/,
    );
    expect(jobOutsideScope(scope, { ...job, repository: 'solo/one' })).toBeNull();
    expect(jobOutsideScope(scope, { ...job, repository: 'solo/two' })).toMatch(/repository/);
    expect(jobOutsideScope(scope, { ...job, requiredCapabilities: ['codex', 'git', 'gh'] })).toMatch(/gh/);
    expect(jobOutsideScope(scope, { ...job, type: 'manifest' })).toMatch(/manifest/);
    expect(
      jobOutsideScope({ ...scope, capabilities: ['*'] }, { ...job, requiredCapabilities: ['gh'] }),
    ).toBeNull();
  });

  test('a registration may not claim more than its token allows', () => {
    const reg = { jobTypes: ['task'], repositories: ['acme/*'], capabilities: ['codex'] };
    expect(registrationOutsideScope(scope, reg)).toBeNull();
    expect(
      registrationOutsideScope(scope, { ...reg, repositories: ['acme/widgets', 'solo/one'] }),
    ).toBeNull();
    expect(registrationOutsideScope(scope, { ...reg, repositories: ['*'] })).toMatch(/\*/);
    expect(registrationOutsideScope(scope, { ...reg, repositories: ['acmex/*'] })).toMatch(/acmex/);
    expect(registrationOutsideScope(scope, { ...reg, repositories: ['solo/*'] })).toMatch(/solo/);
    expect(registrationOutsideScope(scope, { ...reg, capabilities: ['claude'] })).toMatch(/claude/);
    expect(
      registrationOutsideScope({ ...scope, repositories: ['*'] }, { ...reg, repositories: ['*'] }),
    ).toBeNull();
  });
});
