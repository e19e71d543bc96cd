import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createWorkerToken } from '../../api/auth/bootstrap.ts';
import { routes } from '../../api/routes/index.ts';
import { findSchemathesis } from '../../scripts/schemathesis.ts';
import { submitJob } from '../support/jobs.ts';
import { seedRun } from '../support/orchestrator-api.ts';
import { type Stack, startStack } from '../support/stack.ts';
import { runFuzz } from './fuzz.ts';

// A short run by default; MOONMIND_FUZZ_CASES=3000 (or more) for the long one.
const cases = Number(process.env.MOONMIND_FUZZ_CASES ?? 400);
// MOONMIND_FUZZ_SEED and MOONMIND_FUZZ_PATHS (a path regex) replay or focus a run.
const seed = Number(process.env.MOONMIND_FUZZ_SEED ?? 0);
const pathRegex = process.env.MOONMIND_FUZZ_PATHS;
const installed = (await findSchemathesis()) !== null;

describe.skipIf(!installed && !process.env.CI)('OpenAPI fuzzing (schemathesis) on the real stack', () => {
  let stack: Stack;
  let workerToken: string;
  const knownIds: Record<string, string[]> = {};
  beforeAll(async () => {
    // The limiter has its own tests; here it would turn most creation cases into 429s.
    // A pool so /readyz is ready; it serves no repository, so every submission stays queued and none runs.
    stack = await startStack({
      apiEnv: { MOONMIND_RATE_LIMIT_PER_MINUTE: '1000000' },
      workers: [{ pool: 'fuzz', repositories: ['fuzz-serves/nothing'] }],
    });
    workerToken = await createWorkerToken(stack.db.sql, {
      name: 'fuzz',
      jobTypes: ['task'],
      repositories: ['*'],
      capabilities: ['*'],
      scopes: [],
    });
    // Things that exist, so routes taking their ids get past the 404. No worker runs: the jobs stay queued.
    const jobs = await Promise.all(
      [1, 2].map(() =>
        submitJob(stack, {
          repository: 'octo/app',
          task: { instructions: 'fuzz seed', publish: { mode: 'pr' } },
        }),
      ),
    );
    const uploaded = await stack.api(`/api/worker/jobs/${jobs[0].id}/artifacts/logs/seed.log`, {
      method: 'PUT',
      token: workerToken,
      headers: { 'content-type': 'text/plain' },
      body: 'seed line\n',
    });
    expect(uploaded.status).toBe(201);
    const events = await stack.api(`/api/worker/jobs/${jobs[0].id}/events`, {
      method: 'POST',
      token: workerToken,
      json: { producer: 'fuzz-seed', events: [{ seq: 0, type: 'fuzz.seed', message: 'seed' }] },
    });
    expect(events.status).toBe(202);
    const user = await stack.api('/api/admin/users', {
      method: 'POST',
      json: { name: 'fuzz-seed', role: 'viewer' },
    });
    const userId = ((await user.json()) as { id: string }).id;
    const token = await stack.api(`/api/admin/users/${userId}/tokens`, { method: 'POST', json: {} });
    Object.assign(knownIds, {
      jobId: jobs.map((j) => j.id),
      artifactId: [((await uploaded.json()) as { id: string }).id],
      userId: [userId],
      tokenId: [((await token.json()) as { id: string }).id],
      // A finished orchestrator run: its stream ends at once (a live one would hold each case 15 s).
      runId: [await seedRun(stack.db.sql, { status: 'succeeded' })],
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  test(
    `${cases} generated cases: no 5xx, every answer as the document says`,
    async () => {
      const result = await runFuzz({
        apiUrl: stack.apiUrl,
        token: stack.adminToken,
        workerToken,
        knownIds,
        cases,
        seed,
        pathRegex,
        workdir: path.resolve('test-results', 'fuzz'),
      });
      console.log(
        `fuzz: ${result.cases} cases over ${result.operations} operations, ${result.serverErrors} server errors, ${result.conformanceFailures} conformance failures`,
      );
      // What the API logged of each 500, to find its cause.
      const unhandled = stack.logs.filter((l) => l.includes('unhandled error')).slice(0, 20);
      const report = [...result.details, ...unhandled].join('\n');
      expect(result.serverErrors, report).toBe(0);
      expect(result.conformanceFailures, report).toBe(0);
      expect(result.errors, report).toBe(0);
      expect(result.cases).toBeGreaterThanOrEqual(cases);
      // Every operation of the document, the authenticated ones included.
      if (!pathRegex) expect(result.operations).toBe(routes.length);
    },
    // Each operation costs its own setup on top of its cases: the limit grows with the route table.
    120_000 + cases * 200 + routes.length * 2_000,
  );
});
