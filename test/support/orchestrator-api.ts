import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { OrchestratorPlan } from '../../contracts/orchestrator.ts';
import type { OrchestratorStatus } from '../../contracts/orchestrator-run.ts';
import type { Sql } from '../../db/client.ts';
import { initialState, insertRun, recordState } from '../../db/orchestrator-runs.ts';

/** The environment variable the protected service's approval token reference names (set by the tests). */
export const APPROVAL_TOKEN_ENV = 'MM_TEST_ORCHESTRATOR_APPROVAL';

/**
 * A profiles file for API tests (no service runs: the routes only read the profiles): `web` (open),
 * `payments` (protected, with an approval token), `ledger` (protected, no token).
 */
export async function apiServiceProfiles(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mm-profiles-'));
  const service = (extra: string) => `
    runner: process
    root: ./srv
    editable: ["config.json", "src/**"]
    build: { command: "true" }
    start: { command: "sleep 60" }
    health: { url: "http://127.0.0.1:9/health" }${extra}`;
  const file = path.join(dir, 'services.yaml');
  await writeFile(
    file,
    `services:
  web:${service('')}
  payments:${service(`\n    protected: true\n    approvalToken: "env://${APPROVAL_TOKEN_ENV}"`)}
  ledger:${service('\n    protected: true')}
`,
  );
  return file;
}

export const samplePlan = (targetService: string): OrchestratorPlan => ({
  targetService,
  healthUrl: 'http://127.0.0.1:9/health',
  composeProject: null,
  steps: [
    { name: 'analyze', description: 'read the logs' },
    { name: 'patch', description: 'fix config.json' },
  ],
  files: ['config.json'],
  rationale: 'the port in config.json is wrong',
});

/** A run stored straight in the table in `status` (no workflow), with or without a plan. */
export async function seedRun(
  sql: Sql,
  opts: { status: OrchestratorStatus; service?: string; plan?: boolean; createdAt?: string },
): Promise<string> {
  const service = opts.service ?? 'web';
  const input = {
    runId: randomUUID(),
    instruction: `Fix ${service}`,
    targetService: service,
    priority: 'normal' as const,
    submittedBy: { id: randomUUID(), name: 'seed' },
    submittedAt: opts.createdAt ?? new Date().toISOString(),
    approval: null,
    retry: null,
    approvalTimeoutSeconds: 60,
    runner: 'process' as const,
  };
  await insertRun(sql, input);
  if (opts.status !== 'pending')
    await recordState(sql, {
      ...initialState(input),
      status: opts.status,
      plan: opts.plan === false ? null : samplePlan(service),
    });
  return input.runId;
}
