import { describe, expect, it } from 'vitest';
import { runChaos } from './suite.ts';
import { renderTable } from './table.ts';

/**
 * `npm run chaos -- --short` in CI, without the two outage scenarios (45 s and 30 s held down, over a minute
 * each): one worker kill -9 and one API kill -9 against `npm start`.
 */
describe('the fault suite, short', () => {
  it('survives a worker kill -9 and an API kill -9 mid-step', async () => {
    const results = await runChaos({ short: true, only: ['worker-kill', 'api-kill'], progress: () => {} });
    expect(
      results.map((r) => [r.scenario, r.passed]),
      renderTable(results),
    ).toEqual(results.map((r) => [r.scenario, true]));
  }, 300_000);
});
