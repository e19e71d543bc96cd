import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrchestratorRunView } from '../../contracts/orchestrator.ts';
import { type CliOptions, runCli } from '../cli/run-cli.ts';
import { createServiceFixture, type ServiceFixture } from '../orchestrator/service-fixture.ts';
import { type Stack, startStack } from '../support/stack.ts';
import { until } from './harness.ts';

/**
 * An orchestrator run driven only through the product's surfaces: submitted through the API, approved with
 * the CLI, followed to `succeeded` and read back (plan, approver, artifacts, events), then retried. The real
 * stack: API, control worker, a worker claiming `orchestrator` (fake agent), a local service (process runner).
 */
let stack: Stack;
let fixture: ServiceFixture;
const tokenEnv = 'MM_E2E_ORCHESTRATOR_APPROVAL';
const approvalToken = randomBytes(16).toString('hex');

beforeAll(async () => {
  fixture = await createServiceFixture([
    {
      name: 'guarded',
      protected: true,
      broken: 'invalid-json',
      profile: { approvalToken: `env://${tokenEnv}` },
    },
  ]);
  const profiles = { MOONMIND_SERVICE_PROFILES: fixture.profilesFile };
  stack = await startStack({
    apiEnv: { ...profiles, [tokenEnv]: approvalToken },
    workers: [
      {
        pool: 'ops',
        jobTypes: ['orchestrator'],
        capabilities: ['orchestrator', 'codex'],
        env: { ...profiles, MOONMIND_ORCHESTRATOR_RUNTIME: 'codex' },
      },
    ],
  });
});
afterAll(async () => {
  await stack?.stop();
  await fixture?.close();
});

const cli = (args: string[], opts: CliOptions = {}) =>
  runCli(['orchestrator', ...args], {
    ...opts,
    env: { MOONMIND_URL: stack.apiUrl, MOONMIND_TOKEN: stack.adminToken, ...opts.env },
  });
const view = async (runId: string) =>
  (await (await stack.api(`/api/orchestrator/runs/${runId}`)).json()) as OrchestratorRunView;
const fixingInstruction = () => {
  const config = `${JSON.stringify({ port: fixture.services.guarded.port, healthy: true }, null, 2)}\n`;
  return `Fix the build of guarded. FAKE_EDITS=${encodeURIComponent(JSON.stringify({ 'config.json': config }))}`;
};

describe('an orchestrator run through the API and the CLI', () => {
  let runId: string;
  let liveStream: Promise<string>;

  it('lists the protected service, without its paths or token reference', async () => {
    const r = await cli(['services', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      {
        name: 'guarded',
        runner: 'process',
        protected: true,
        requiresToken: true,
        healthUrl: fixture.services.guarded.healthUrl,
      },
    ]);
    expect(r.stdout).not.toContain(tokenEnv);
    expect(r.stdout).not.toContain(fixture.dir);
  });

  it('waits for an approval with its plan visible; the CLI approves with the token', async () => {
    const res = await stack.api('/api/orchestrator/runs', {
      method: 'POST',
      json: { targetService: 'guarded', instruction: fixingInstruction() },
    });
    expect(res.status).toBe(201);
    runId = ((await res.json()) as OrchestratorRunView).runId;
    const waiting = await until(
      'the run to await approval',
      async () => {
        const v = await view(runId);
        return v.status === 'awaiting_approval' && v;
      },
      90_000,
    );
    expect(waiting.plan?.files).toEqual(['config.json']);
    expect(waiting.plan?.approval ?? null).toBeNull();
    expect(await fixture.services.guarded.healthStatus()).toBeNull();
    // Followed live from here: the stream must end by itself when the run does.
    liveStream = stack.api(`/orchestrator/runs/${runId}/events/stream`).then((r) => r.text());
    // Without the token the API refuses (403 → exit 5); with it on standard input the run takes it.
    const refused = await cli(['approve', runId]);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain('this service needs its approval token');
    const approved = await cli(['approve', runId, '--token-stdin', '--comment', 'reviewed'], {
      stdin: `${approvalToken}\n`,
    });
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain('approve: taken by the run');
  });

  it('ends succeeded with the service healthy, the approver on the plan, its artifacts and events readable', async () => {
    const done = await until(
      'the run to end',
      async () => {
        const v = await view(runId);
        return ['succeeded', 'failed', 'rolled_back'].includes(v.status) && v;
      },
      120_000,
    );
    expect(done.status, JSON.stringify(done)).toBe('succeeded');
    expect(done.plan?.approval).toMatchObject({ actor: 'admin', tokenVerified: true });
    expect(done.steps.map((s) => [s.name, s.outcome])).toEqual([
      ['analyze', 'succeeded'],
      ['patch', 'succeeded'],
      ['build', 'succeeded'],
      ['restart', 'succeeded'],
      ['verify', 'succeeded'],
    ]);
    expect(await fixture.services.guarded.healthStatus()).toBe(200);

    const list = (await (await stack.api(`/orchestrator/runs/${runId}/artifacts`)).json()) as {
      items: { name: string; downloadUrl: string }[];
    };
    const names = list.items.map((a) => a.name);
    for (const name of ['plan.json', 'patch.diff', 'build.log', 'restart.log', 'verify.log'])
      expect(names).toContain(name);
    const diff = list.items.find((a) => a.name === 'patch.diff')!;
    const text = await (await stack.api(diff.downloadUrl)).text();
    expect(text).toContain('+  "healthy": true');
    const live = await liveStream;
    expect(live).toContain('event: end\ndata: {"status":"succeeded"}');
    expect(live).toContain('"type":"control.approved"');
    expect(live).toContain('approved by admin');
    const stream = await (await stack.api(`/api/orchestrator/runs/${runId}/events/stream`)).text();
    expect(stream).toContain('event: job_event');
    expect(stream).toContain('event: end\ndata: {"status":"succeeded"}');

    const shown = await cli(['show', runId]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/status:\s+Succeeded/);
    expect(shown.stdout).toMatch(/approved:\s+admin at .* \(token verified\)/);
  });

  it('a retry through the CLI reuses the plan (analyze skipped) and waits for its end', async () => {
    await fixture.services.guarded.breakConfig('invalid-json');
    const r = await cli(['retry', runId, '--token-stdin', '--wait', '--json'], { stdin: approvalToken });
    expect(r.code, r.stderr).toBe(0);
    const retried = JSON.parse(r.stdout) as OrchestratorRunView;
    expect(retried).toMatchObject({ status: 'succeeded', retryOf: runId });
    expect(retried.steps.find((s) => s.name === 'analyze')?.outcome).toBe('skipped');
    expect(retried.plan?.approval).toMatchObject({ actor: 'admin', atSubmission: true });
    const listed = await cli(['list', '--status', 'succeeded']);
    expect(listed.stdout).toContain(runId);
    expect(listed.stdout).toContain(retried.runId);
  });

  it('submit --publish branch: the fix holds though its checkout has no remote; show says why it is unpublished', async () => {
    await fixture.services.guarded.breakConfig('invalid-json');
    const r = await cli(
      ['submit', 'guarded', fixingInstruction(), '--publish', 'branch', '--token-stdin', '--wait', '--json'],
      { stdin: approvalToken },
    );
    expect(r.code, r.stderr).toBe(0);
    const run = JSON.parse(r.stdout) as OrchestratorRunView;
    expect(run).toMatchObject({ status: 'succeeded', publishMode: 'branch', branch: null, prUrl: null });
    expect(run.publishError).toBe(
      "the service's checkout has no remote origin (set git.remote in its profile)",
    );
    expect(await fixture.services.guarded.healthStatus()).toBe(200);
    const shown = await cli(['show', run.runId]);
    expect(shown.stdout).toMatch(/^publish: +branch$/m);
    expect(shown.stdout).toMatch(/^unpublished: the service's checkout has no remote origin/m);
  });
});
