import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { orchestratorStartOptions } from '../../api/orchestrator/start.ts';
import type { OrchestratorRunInput } from '../../contracts/orchestrator.ts';
import type { OrchestratorRunState } from '../../contracts/orchestrator-run.ts';
import type { PublishMode } from '../../contracts/task.ts';
import { getRun, insertRun } from '../../db/orchestrator-runs.ts';
import { type FakeGitHub, startFakeGitHub } from '../fakes/fake-github.ts';
import { type Stack, startStack } from '../support/stack.ts';
import { recordedDir, writeHistory } from '../workflows/histories.ts';
import { createServiceFixture, type ServiceFixture } from './service-fixture.ts';

/**
 * Publishing a verified fix on the real parts: Temporal, PostgreSQL, the API, a capability worker (the fake
 * agent edits config.json), real services and real git: each service's checkout has a remote, a bare
 * repository served as the default forge over file://; the pull request goes to the forge double.
 */
const run = promisify(execFile);
const bareGit = (dir: string, ...args: string[]) =>
  run('git', ['--git-dir', dir, ...args]).then((r) => r.stdout.trim());
const token = `publish-${randomUUID()}`;

let stack: Stack;
let fixture: ServiceFixture;
/** `monorepo/api`: a service whose root is a directory of a larger checkout. */
let mono: ServiceFixture;
let github: FakeGitHub;
let remotes: string;
const bare = (name: string) => path.join(remotes, 'acme', `${name}.git`);

beforeAll(async () => {
  fixture = await createServiceFixture(
    ['pushed', 'proposed', 'kept', 'unpushable'].map((name) => ({ name, broken: 'invalid-json' as const })),
  );
  remotes = await mkdtemp(path.join(os.tmpdir(), 'mm-remotes-'));
  await mkdir(path.join(remotes, 'acme'));
  for (const name of ['pushed', 'proposed', 'kept']) {
    await run('git', ['clone', '-q', '--bare', fixture.services[name].root, bare(name)]);
    await fixture.services[name].git('remote', 'add', 'origin', `file://${bare(name)}`);
  }
  // A remote that is not there: the push fails after the fix was verified.
  await fixture.services.unpushable.git('remote', 'add', 'origin', `file://${bare('unpushable')}`);
  mono = await createServiceFixture([{ name: 'api', broken: 'invalid-json' }]);
  await rm(path.join(mono.dir, 'api', '.git'), { recursive: true });
  const top = (...args: string[]) =>
    run('git', ['-c', 'user.name=f', '-c', 'user.email=f@example.com', ...args], { cwd: mono.dir });
  await top('init', '-q', '-b', 'main');
  await top('add', '-A');
  await top('commit', '-q', '-m', 'monorepo');
  await run('git', ['clone', '-q', '--bare', mono.dir, bare('monorepo')]);
  await top('remote', 'add', 'origin', `file://${bare('monorepo')}`);
  const doc = parse(await readFile(fixture.profilesFile, 'utf8'));
  const monoDoc = parse(await readFile(mono.profilesFile, 'utf8'));
  doc.services.nested = { ...monoDoc.services.api, root: path.join(mono.dir, 'api') };
  await writeFile(fixture.profilesFile, stringify(doc));
  github = await startFakeGitHub();
  const profiles = { MOONMIND_SERVICE_PROFILES: fixture.profilesFile };
  stack = await startStack({ apiEnv: profiles });
  await stack.startWorker({
    pool: 'ops',
    jobTypes: ['orchestrator'],
    capabilities: ['orchestrator', 'codex'],
    env: {
      ...profiles,
      MOONMIND_ORCHESTRATOR_RUNTIME: 'codex',
      MOONMIND_GIT_BASE_URL: `file://${remotes}`,
      MOONMIND_GITHUB_API_URL: github.url,
      MOONMIND_GIT_TOKEN: token,
    },
  });
});

afterAll(async () => {
  await stack?.stop();
  await fixture?.close();
  await mono?.close();
  await github?.close();
  if (remotes) await rm(remotes, { recursive: true, force: true });
});

const serviceOf = (name: string) => (name === 'nested' ? mono.services.api : fixture.services[name]);
const healthyConfig = (name: string) =>
  `${JSON.stringify({ port: serviceOf(name).port, healthy: true }, null, 2)}\n`;
const fixIt = (name: string) =>
  `Fix the config of ${name}.\nFAKE_EDITS=${encodeURIComponent(JSON.stringify({ 'config.json': healthyConfig(name) }))}`;

async function submit(service: string, mode: PublishMode): Promise<WorkflowHandle> {
  const input: OrchestratorRunInput = {
    runId: randomUUID(),
    instruction: fixIt(service),
    targetService: service,
    priority: 'normal',
    submittedBy: { id: 'u-1', name: 'operator' },
    submittedAt: new Date().toISOString(),
    approval: null,
    retry: null,
    approvalTimeoutSeconds: 600,
    runner: 'process',
    publish: { mode },
  };
  await insertRun(stack.db.sql, input);
  return stack.client.workflow.start('orchestratorRun', orchestratorStartOptions(input));
}

async function ended(handle: WorkflowHandle, record?: string): Promise<OrchestratorRunState> {
  await handle.result().catch((err) => {
    if (!(err instanceof WorkflowFailedError)) throw err;
  });
  if (record) await writeHistory(recordedDir, record, await handle.fetchHistory());
  return (await getRun(stack.db.sql, handle.workflowId.replace('orchestrator-', '')))!.state;
}

async function events(runId: string): Promise<{ type: string; message: string }[]> {
  return stack.db.sql<{ type: string; message: string }[]>`
    SELECT type, message FROM job_events WHERE job_id = ${runId} ORDER BY id`;
}

describe('publishing a verified orchestrator fix', () => {
  it('branch: the remote gets moonmind/orchestrator-<run8> with exactly the patched file changed', async () => {
    const state = await ended(await submit('pushed', 'branch'), 'orchestrator-published-branch');
    expect(state.status, JSON.stringify(state)).toBe('succeeded');
    const branch = `moonmind/orchestrator-${state.runId.slice(0, 8)}`;
    expect(state).toMatchObject({ publishMode: 'branch', branch, prUrl: null, publishError: null });
    expect(await bareGit(bare('pushed'), 'diff', '--name-only', 'main', branch)).toBe('config.json');
    expect(await bareGit(bare('pushed'), 'show', `${branch}:config.json`)).toBe(
      healthyConfig('pushed').trimEnd(),
    );
    expect(await bareGit(bare('pushed'), 'log', '--format=%s', '-1', branch)).toBe(
      'pushed: Fix the config of pushed.',
    );
    // The operator's checkout is only read: still on main at its commit, the fix in its working tree.
    const service = fixture.services.pushed;
    expect(await service.git('rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(await service.git('rev-parse', 'HEAD')).toBe(await bareGit(bare('pushed'), 'rev-parse', 'main'));
    expect(await service.git('status', '--porcelain')).toBe('M config.json');
    expect(await service.healthStatus()).toBe(200);
    const types = (await events(state.runId)).map((e) => e.type);
    expect(types).toContain('orchestrator.publish.succeeded');
    expect(github.pulls).toHaveLength(0);
  });

  it('pr: the forge double gets the pull request with the branch as head and the checkout branch as base', async () => {
    const state = await ended(await submit('proposed', 'pr'));
    expect(state.status, JSON.stringify(state)).toBe('succeeded');
    const branch = `moonmind/orchestrator-${state.runId.slice(0, 8)}`;
    const pr = github.pulls.find((p) => p.repo === 'proposed');
    expect(pr).toMatchObject({ owner: 'acme', head: branch, base: 'main' });
    expect(pr!.title).toBe('proposed: Fix the config of proposed.');
    expect(pr!.body).toContain(state.plan!.rationale);
    expect(pr!.body).toContain('config.json | ');
    expect(state).toMatchObject({ branch, prUrl: pr!.html_url, publishError: null });
    expect(await bareGit(bare('proposed'), 'diff', '--name-only', 'main', branch)).toBe('config.json');
    // The forge token went to the forge API as a credential, and nowhere in the run's log or events.
    const sent = github.requests.filter((r) => r.path.startsWith('/repos/acme/proposed/'));
    expect(sent.length).toBeGreaterThan(0);
    for (const r of sent) expect(r.authorization).toContain(token);
    expect(JSON.stringify(await events(state.runId))).not.toContain(token);
  });

  it('a service in a directory of a larger checkout: the commit has the file at its path in that checkout', async () => {
    const state = await ended(await submit('nested', 'branch'));
    expect(state.status, JSON.stringify(state)).toBe('succeeded');
    expect(state.publishError).toBeNull();
    expect(await bareGit(bare('monorepo'), 'diff', '--name-only', 'main', state.branch!)).toBe(
      'api/config.json',
    );
    expect(await mono.services.api.healthStatus()).toBe(200);
  });

  it('none: nothing is pushed and no publish step runs', async () => {
    const state = await ended(await submit('kept', 'none'));
    expect(state.status, JSON.stringify(state)).toBe('succeeded');
    expect(state).toMatchObject({ publishMode: 'none', branch: null, prUrl: null, publishError: null });
    expect(await bareGit(bare('kept'), 'for-each-ref', '--format=%(refname:short)', 'refs/heads')).toBe(
      'main',
    );
    expect((await events(state.runId)).some((e) => e.type.startsWith('orchestrator.publish'))).toBe(false);
  });

  it('a push that fails leaves the healthy fix in place: succeeded, with the publish error', async () => {
    const state = await ended(await submit('unpushable', 'branch'), 'orchestrator-publish-failed');
    expect(state.status, JSON.stringify(state)).toBe('succeeded');
    expect(state.branch).toBeNull();
    expect(state.publishError).toMatch(/git push failed/);
    expect(await fixture.services.unpushable.healthStatus()).toBe(200);
    const failed = (await events(state.runId)).find((e) => e.type === 'orchestrator.publish.failed');
    expect(failed?.message).toMatch(/^publish failed: git push failed/);
  });
});
