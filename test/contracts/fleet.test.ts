import { describe, expect, it } from 'vitest';
import { fleetMarks, servedDefault, unservedReason } from '../../contracts/fleet.ts';

const pool = (capabilities: string[], repositories = ['*']) => ({
  pool: 'p',
  capabilities,
  jobTypes: ['task'],
  repositories,
});

describe('fleet marks', () => {
  it('marks pr unserved without gh, with the remedy, and falls back to branch', () => {
    const marks = fleetMarks([pool(['codex', 'git'])], 'acme/widgets', [
      { id: 'docker-build', requiredCapabilities: ['docker'] },
    ]);
    expect(marks.publishModes).toEqual([
      {
        value: 'pr',
        needs: ['git', 'gh'],
        served: false,
        reason: 'no worker serves gh: add a forge token or choose branch',
      },
      { value: 'branch', needs: ['git'], served: true, reason: null },
      { value: 'none', needs: ['git'], served: true, reason: null },
    ]);
    expect(marks.runtimes.map((r) => [r.value, r.served])).toEqual([
      ['codex', true],
      ['gemini', false],
      ['claude', false],
      ['demo', false],
    ]);
    expect(marks.runtimes[1].reason).toBe('no worker serves gemini');
    expect(marks.skills[0]).toMatchObject({ served: false, reason: 'no worker serves docker' });
    expect(servedDefault(marks.publishModes, 'pr')).toBe('branch');
    expect(servedDefault(marks.runtimes, 'codex')).toBe('codex');
    expect(servedDefault(marks.runtimes, 'claude')).toBe('codex');
  });

  it('names the repository when no live pool takes it; keeps the choice when nothing is served', () => {
    const marks = fleetMarks([pool(['codex', 'git', 'gh'], ['other/*'])], 'acme/widgets', []);
    expect(marks.publishModes[0].reason).toBe('no live worker takes task jobs on acme/widgets');
    expect(servedDefault(marks.publishModes, 'pr')).toBe('pr');
    expect(unservedReason([pool(['codex', 'git', 'gh'])], ['CODEX', 'gh'], null)).toBeNull();
  });
});
