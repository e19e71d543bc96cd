import { describe, expect, it } from 'vitest';
import { runChaos } from './suite.ts';
import { renderTable } from './table.ts';

/**
 * `npm run chaos -- --short` in CI against `npm start`: one worker kill -9, one API kill -9 and PostgreSQL
 * down 30 s (about 2.5 minutes together). Not the Temporal outage: 45 s down and a step outliving it would
 * take the file past 3 minutes.
 */
describe('the fault suite, short', () => {
  it('survives a worker kill -9, an API kill -9 and PostgreSQL down 30 s mid-step', async () => {
    const results = await runChaos({
      short: true,
      only: ['worker-kill', 'api-kill', 'postgres-outage'],
      progress: () => {},
    });
    expect(
      results.map((r) => [r.scenario, r.passed]),
      renderTable(results),
    ).toEqual(results.map((r) => [r.scenario, true]));
  }, 420_000);
});
