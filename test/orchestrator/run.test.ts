import { randomUUID } from 'node:crypto';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { serviceEnv } from '../../activities/orchestrator/service/command.ts';
import { groupRunning } from '../../activities/orchestrator/service/group.ts';
import { runnerFor } from '../../activities/orchestrator/service/runners.ts';
import { orchestratorStartOptions } from '../../api/orchestrator/start.ts';
import type { OrchestratorPlan, OrchestratorRunState } from '../../contracts/orchestrator-run.ts';
import { searchAttributes } from '../../contracts/search-attributes.ts';
import { getRun, insertRun } from '../../db/orchestrator-runs.ts';
import { loadServiceProfiles } from '../../lib/service-profiles.ts';
import { waitFor } from '../../scripts/ports.ts';
import { buildWorkflowBundle } from '../../workers/control.ts';
import { orchestratorControlSignal, orchestratorStateQuery } from '../../workflows/orchestrator/messages.ts';
import type { OrchestratorRunArgs } from '../../workflows/orchestrator/run.ts';
import { parseExposition } from '../support/prom-text.ts';
import { type Stack, startStack } from '../support/stack.ts';
import { quietTemporalLogs } from '../workflows/harness.ts';
import { readHistories, recordedDir, writeHistory } from '../workflows/histories.ts';
import { createServiceFixture, runnerContext, type ServiceFixture } from './service-fixture.ts';

/**
 * Orchestrator runs end to end on the real parts: Temporal, PostgreSQL, the API's control worker, a capability
 * worker claiming `orchestrator` (the fake agent for analyze and patch), and real local HTTP services driven
 * by the process runner. Each scenario has its own service so their states never mix.
 */
let stack: Stack;
let fixture: ServiceFixture;
const metricsToken = `metrics-${randomUUID()}`;
/** Every prompt the fake agent got (FAKE_AGENT_PROMPT_LOG). */
let promptLog: string;

const slowBuild = `if grep -q slow config.json; then echo $$ > build.pid; sleep 30 & sleep 30; fi; ${JSON.stringify(process.execPath)} build.mjs`;

beforeAll(async () => {
  fixture = await createServiceFixture([
    { name: 'broken', broken: 'invalid-json' },
    { name: 'breakable' },
    { name: 'guarded', protected: true },
    { name: 'strict' },
    { name: 'slow', profile: { build: { command: slowBuild, timeoutSeconds: 120 } } },
  ]);
  // A health check that gives up soon: the rollback scenario's broken patch fails verify in 2 s.
  const doc = parse(await readFile(fixture.profilesFile, 'utf8'));
  doc.services.breakable.health.timeoutSeconds = 2;
  await writeFile(fixture.profilesFile, stringify(doc));
  fixture = { ...fixture, profiles: loadServiceProfiles(fixture.profilesFile) };
  // The healthy services run before their orchestrator runs.
  for (const name of ['breakable', 'guarded', 'strict', 'slow']) {
    const profile = fixture.profiles.get(name)!;
    const runner = runnerFor(profile, { dockerCommand: 'docker', env: serviceEnv(process.env) });
    const ctx = runnerContext(fixture, name);
    expect((await runner.build(ctx)).ok, ctx.lines.join('\n')).toBe(true);
    expect((await runner.restart(ctx)).ok, ctx.lines.join('\n')).toBe(true);
    await waitFor(
      `${name} healthy`,
      async () => (await fixture.services[name].healthStatus()) === 200,
      10_000,
      50,
    );
  }
  const profiles = { MOONMIND_SERVICE_PROFILES: fixture.profilesFile };
  stack = await startStack({ apiEnv: { ...profiles, MOONMIND_METRICS_TOKEN: metricsToken } });
  promptLog = path.join(stack.agentOut, 'prompts.log');
  await stack.startWorker({
    pool: 'ops',
    jobTypes: ['orchestrator'],
    capabilities: ['orchestrator', 'codex'],
    env: { ...profiles, MOONMIND_ORCHESTRATOR_RUNTIME: 'codex', FAKE_AGENT_PROMPT_LOG: promptLog },
  });
});

afterAll(async () => {
  await stack?.stop();
  await fixture?.close();
});

const edits = (files: Record<string, string | null>) =>
  `FAKE_EDITS=${encodeURIComponent(JSON.stringify(files))}`;
const healthyConfig = (name: string) =>
  `${JSON.stringify({ port: fixture.services[name].port, healthy: true }, null, 2)}\n`;

async function submit(
  service: string,
  instruction: string,
  extra: Partial<OrchestratorRunArgs> = {},
): Promise<WorkflowHandle> {
  const input: OrchestratorRunArgs = {
    runId: randomUUID(),
    instruction,
    targetService: service,
    priority: 'normal',
    submittedBy: { id: 'u-1', name: 'operator' },
    submittedAt: new Date().toISOString(),
    approval: null,
    retry: null,
    approvalTimeoutSeconds: 600,
    runner: 'process',
    ...extra,
  };
  await insertRun(stack.db.sql, input);
  return stack.client.workflow.start('orchestratorRun', orchestratorStartOptions(input));
}

/** The run's final state as its row says (the workflow ends failed in Temporal unless it succeeded). */
async function ended(handle: WorkflowHandle, record?: string): Promise<OrchestratorRunState> {
  await handle.result().catch((err) => {
    if (!(err instanceof WorkflowFailedError)) throw err;
  });
  if (record) await writeHistory(recordedDir, record, await handle.fetchHistory());
  const runId = handle.workflowId.replace('orchestrator-', '');
  const row = await getRun(stack.db.sql, runId);
  return row!.state;
}

async function stateOf(handle: WorkflowHandle): Promise<OrchestratorRunState> {
  return handle.query(orchestratorStateQuery);
}

async function artifacts(runId: string): Promise<string[]> {
  const rows = await stack.db.sql<{ name: string }[]>`
    SELECT name FROM artifacts WHERE job_id = ${runId} ORDER BY name`;
  return rows.map((r) => r.name);
}

const outcomes = (s: OrchestratorRunState) => Object.fromEntries(s.steps.map((x) => [x.name, x.outcome]));

describe('orchestrator runs', () => {
  let fixedPlan: OrchestratorPlan;
  let fixedRunId: string;

  it('fixes a broken config: analyze, patch, build, restart, verify → succeeded, the service healthy', async () => {
    const service = fixture.services.broken;
    expect(await service.healthStatus()).toBeNull();
    const handle = await submit(
      'broken',
      `Fix the build of broken. ${edits({ 'config.json': healthyConfig('broken') })}`,
    );
    const state = await ended(handle, 'orchestrator-succeeded');
    expect(state.status, JSON.stringify(state)).toBe('succeeded');
    expect(outcomes(state)).toEqual({
      analyze: 'succeeded',
      patch: 'succeeded',
      build: 'succeeded',
      restart: 'succeeded',
      verify: 'succeeded',
    });
    expect(state.steps.find((s) => s.name === 'verify')?.detail).toMatch(/health 200/);
    expect(state.plan?.files).toEqual(['config.json']);
    expect(await service.healthStatus()).toBe(200);
    expect(JSON.parse(await service.readConfig()).healthy).toBe(true);
    const names = await artifacts(state.runId);
    for (const name of ['plan.json', 'patch.diff', 'build.log', 'restart.log', 'verify.log'])
      expect(names).toContain(name);
    const [diff] = await stack.db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM job_events WHERE job_id = ${state.runId} AND type = 'log'`;
    expect(diff.n).toBeGreaterThan(0);
    fixedPlan = state.plan!;
    fixedRunId = state.runId;
  });

  it('retry reuses the stored plan: analyze is skipped and no agent analyzes again', async () => {
    await fixture.services.broken.breakConfig('invalid-json');
    const handle = await submit(
      'broken',
      `Fix the build of broken. ${edits({ 'config.json': healthyConfig('broken') })}`,
      { retry: { of: fixedRunId, plan: fixedPlan } },
    );
    const state = await ended(handle);
    expect(state.status, JSON.stringify(state)).toBe('succeeded');
    expect(state.retryOf).toBe(fixedRunId);
    expect(state.steps.find((s) => s.name === 'analyze')).toMatchObject({
      outcome: 'skipped',
      detail: `reusing the plan of run ${fixedRunId}`,
    });
    const names = await artifacts(state.runId);
    expect(names).not.toContain('analyze.log');
    expect(names).toContain('patch.diff');
  });

  it('a patch that breaks health rolls back: rolled_back, the service healthy on its old files', async () => {
    const service = fixture.services.breakable;
    const before = await service.readConfig();
    const unhealthy = `${JSON.stringify({ port: service.port, healthy: false }, null, 2)}\n`;
    // A credential the service printed: analyze's prompt carries the recent logs, masked.
    const leaked = `gh${'p'}_${'x'.repeat(36)}`;
    await appendFile(path.join(service.root, '.moonmind', 'breakable.log'), `auth with ${leaked}\n`);
    const handle = await submit('breakable', `Tune the config. ${edits({ 'config.json': unhealthy })}`);
    const state = await ended(handle, 'orchestrator-rolled-back');
    const prompts = await readFile(promptLog, 'utf8');
    const analyze = prompts.split('----- end of prompt -----').find((p) => p.includes('Tune the config'))!;
    expect(analyze).toMatch(/^ORCHESTRATOR STEP: analyze/m);
    expect(analyze).toContain(
      'Editable paths (globs, relative to your working directory): config.json, src/**',
    );
    expect(analyze).toContain(`Health check: ${service.healthUrl} must answer 200.`);
    expect(analyze).toMatch(/listening on \d+/);
    expect(analyze).toContain('auth with [REDACTED]');
    expect(prompts).not.toContain(leaked);
    expect(state.status, JSON.stringify(state)).toBe('rolled_back');
    expect(state.rollbackReason).toMatch(/^verify failed: /);
    expect(outcomes(state)).toMatchObject({ verify: 'failed', rollback: 'succeeded' });
    expect(await service.readConfig()).toBe(before);
    expect(await service.healthStatus()).toBe(200);
    expect(await artifacts(state.runId)).toContain('rollback.log');
  });

  it('a protected service waits for an approval; the approver is recorded on the plan', async () => {
    const service = fixture.services.guarded;
    const handle = await submit(
      'guarded',
      `Greet better. ${edits({ 'src/greeting.txt': 'hello, approved\n' })}`,
    );
    await waitFor(
      'awaiting approval',
      async () => (await stateOf(handle)).status === 'awaiting_approval',
      60_000,
      100,
    );
    const waiting = await stateOf(handle);
    expect(waiting.plan?.files).toEqual(['src/greeting.txt']);
    expect(waiting.steps.map((s) => s.name)).toEqual(['analyze']);
    const row = await getRun(stack.db.sql, waiting.runId);
    expect(row?.state.status).toBe('awaiting_approval');
    // Nothing is patched before the approval.
    expect(await readFile(path.join(service.root, 'src/greeting.txt'), 'utf8')).not.toMatch(/approved/);
    await handle.signal(orchestratorControlSignal, {
      requestId: 'approve-1',
      actor: 'alice',
      action: 'approve',
    });
    const state = await ended(handle, 'orchestrator-approved');
    expect(state.status, JSON.stringify(state)).toBe('succeeded');
    expect(state.plan?.approval).toMatchObject({ actor: 'alice', tokenVerified: false });
    expect(await readFile(path.join(service.root, 'src/greeting.txt'), 'utf8')).toBe('hello, approved\n');
  });

  it('an approval that does not come in time fails the run, naming the reason', async () => {
    const handle = await submit('guarded', `Greet. ${edits({ 'src/greeting.txt': 'never\n' })}`, {
      approvalTimeoutSeconds: 2,
    });
    const state = await ended(handle, 'orchestrator-approval-timeout');
    expect(state.status).toBe('failed');
    expect(state.error).toBe('no approval within 2 s (the service is protected)');
    expect(await readFile(path.join(fixture.services.guarded.root, 'src/greeting.txt'), 'utf8')).not.toMatch(
      /never/,
    );
  });

  it('a plan that does not match the plan schema fails analyze, naming the fields; nothing is patched', async () => {
    const plan = encodeURIComponent(JSON.stringify({ targetService: 'strict', steps: 'all of them' }));
    const handle = await submit('strict', `Plan badly. FAKE_PLAN=${plan}`);
    const state = await ended(handle);
    expect(state.status).toBe('failed');
    expect(state.error).toMatch(/^analyze failed: the plan is invalid: .*healthUrl.*steps/);
    expect(outcomes(state)).toEqual({ analyze: 'failed' });
    expect(await artifacts(state.runId)).toContain('analyze.log');
  });

  it('waits pending, with the reason, while no pool serves the runner (compose needs docker); continues as new', async () => {
    const handle = await submit('guarded', 'Anything.', { runner: 'compose', pendingHistoryLimit: 12 });
    const firstRunId = (await handle.describe()).runId;
    await waitFor('continue-as-new', async () => (await handle.describe()).runId !== firstRunId, 30_000, 200);
    await waitFor(
      'the reason again',
      async () => (await stateOf(handle)).waitingReason !== null,
      30_000,
      100,
    );
    const waiting = await stateOf(handle);
    expect(waiting.status).toBe('pending');
    expect(waiting.waitingReason).toBe('no worker serves docker for services/guarded');
    const row = await getRun(stack.db.sql, waiting.runId);
    expect(row?.state).toMatchObject({ status: 'pending', waitingReason: waiting.waitingReason });
    await handle.signal(orchestratorControlSignal, {
      requestId: 'cancel-pending',
      actor: 'bob',
      action: 'cancel',
    });
    const state = await ended(stack.client.workflow.getHandle(handle.workflowId));
    expect(state).toMatchObject({ status: 'failed', error: 'cancelled by bob', steps: [] });
    const [submitted] = await stack.db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM job_events WHERE job_id = ${state.runId} AND type = 'run.submitted'`;
    expect(submitted.n).toBe(1);
  });

  it('a cancel from Temporal itself ends the run failed (cancelled by temporal) and Canceled in Temporal', async () => {
    const handle = await submit('guarded', `Greet. ${edits({ 'src/greeting.txt': 'cancelled\n' })}`);
    await waitFor(
      'awaiting approval',
      async () => (await stateOf(handle)).status === 'awaiting_approval',
      60_000,
      100,
    );
    const described = await handle.describe();
    expect(described.typedSearchAttributes.get(searchAttributes.jobType)).toBe('orchestrator');
    await handle.cancel();
    const state = await ended(handle, 'orchestrator-temporal-cancel');
    expect(state.status).toBe('failed');
    expect(state.error).toBe('cancelled by temporal');
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect((await handle.describe()).typedSearchAttributes.get(searchAttributes.status)).toBe('failed');
  });

  it('a patch touching a file outside the allow-list fails the run, every file as it was', async () => {
    const service = fixture.services.strict;
    const server = await readFile(path.join(service.root, 'server.mjs'), 'utf8');
    const secrets = await readFile(path.join(service.root, 'secrets.env'), 'utf8');
    const config = await service.readConfig();
    const handle = await submit(
      'strict',
      `Sneak. ${edits({ 'config.json': healthyConfig('strict'), 'server.mjs': '// gone\n', 'secrets.env': 'X=1\n' })}`,
    );
    const state = await ended(handle);
    expect(state.status).toBe('failed');
    expect(state.error).toMatch(
      /outside the allow-list: secrets\.env \(protected file\), server\.mjs \(not in the editable paths\)/,
    );
    expect(outcomes(state)).toMatchObject({ patch: 'failed' });
    expect(outcomes(state).build).toBeUndefined();
    expect(await readFile(path.join(service.root, 'server.mjs'), 'utf8')).toBe(server);
    expect(await readFile(path.join(service.root, 'secrets.env'), 'utf8')).toBe(secrets);
    expect(await service.readConfig()).toBe(config);
    expect(await service.healthStatus()).toBe(200);
  });

  it('cancel during build stops the build process group, puts the patch back and fails the run', async () => {
    const service = fixture.services.slow;
    const config = await service.readConfig();
    const slowConfig = `${JSON.stringify({ port: service.port, healthy: true, slow: true }, null, 2)}\n`;
    const handle = await submit('slow', `Slow down. ${edits({ 'config.json': slowConfig })}`);
    const pidFile = path.join(service.root, 'build.pid');
    let pgid = 0;
    await waitFor(
      'the slow build',
      async () => {
        pgid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
        return pgid > 0 && groupRunning(pgid);
      },
      60_000,
      100,
    );
    expect((await stateOf(handle)).steps.at(-1)).toMatchObject({ name: 'build', outcome: 'running' });
    await handle.signal(orchestratorControlSignal, { requestId: 'cancel-1', actor: 'bob', action: 'cancel' });
    const state = await ended(handle, 'orchestrator-cancelled');
    expect(state.status).toBe('failed');
    expect(state.error).toBe('cancelled by bob');
    expect(outcomes(state)).toMatchObject({ build: 'cancelled', rollback: 'succeeded' });
    expect(groupRunning(pgid)).toBe(false);
    expect(await service.readConfig()).toBe(config);
    expect(await service.healthStatus()).toBe(200);
  });

  it('counts runs by status, durations by terminal status and step outcomes in the API metrics', async () => {
    const res = await fetch(`${stack.apiUrl}/metrics`, {
      headers: { authorization: `Bearer ${metricsToken}` },
    });
    expect(res.status).toBe(200);
    const m = parseExposition(await res.text());
    expect(m.value('moonmind_orchestrator_runs_finished_total', { status: 'succeeded' })).toBe(3);
    expect(m.value('moonmind_orchestrator_runs_finished_total', { status: 'rolled_back' })).toBe(1);
    expect(m.value('moonmind_orchestrator_runs_finished_total', { status: 'failed' })).toBe(6);
    expect(m.value('moonmind_orchestrator_run_duration_seconds_count', { status: 'failed' })).toBe(6);
    expect(m.value('moonmind_orchestrator_runs', { status: 'succeeded' })).toBe(3);
    // The retry's analyze was skipped, not started.
    expect(m.value('moonmind_orchestrator_steps_started_total', { step: 'analyze' })).toBe(8);
    expect(m.value('moonmind_orchestrator_step_outcomes_total', { step: 'analyze', outcome: 'failed' })).toBe(
      1,
    );
    expect(
      m.value('moonmind_orchestrator_step_outcomes_total', { step: 'analyze', outcome: 'skipped' }),
    ).toBe(1);
    expect(m.value('moonmind_orchestrator_step_outcomes_total', { step: 'verify', outcome: 'failed' })).toBe(
      1,
    );
    expect(
      m.value('moonmind_orchestrator_step_outcomes_total', { step: 'build', outcome: 'cancelled' }),
    ).toBe(1);
    expect(
      m.value('moonmind_orchestrator_step_outcomes_total', { step: 'rollback', outcome: 'succeeded' }),
    ).toBe(2);
  });

  it('replays the recorded histories with the current workflow code', async () => {
    quietTemporalLogs();
    const histories = (await readHistories(recordedDir)).filter((h) =>
      h.workflowId.startsWith('orchestrator-'),
    );
    expect(histories.length).toBeGreaterThanOrEqual(4);
    const failures: string[] = [];
    for await (const r of Worker.runReplayHistories(
      { workflowBundle: await buildWorkflowBundle() },
      histories,
    ))
      if (r.error) failures.push(`${r.workflowId}: ${r.error}`);
    expect(failures).toEqual([]);
  });
});
