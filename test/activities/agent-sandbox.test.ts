import { existsSync, readFileSync } from 'node:fs';
import { chmod, lstat, mkdir, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protectDataDir } from '../../scripts/data-dir.ts';
import {
  type Fixture,
  makeBareRepo,
  prepareInput,
  run,
  startFixture,
  stepInput,
  taskPayload,
} from './task-fixture.ts';

/**
 * The agent as an attacker: the fake agent, run by the real activities as a root worker would run it,
 * tries to read what it must not (the worker's environment, the data dir, another run's workspace and
 * process, the operator's CLI logins) and reports what it got. Agents are only boxed when the worker runs
 * as root (CI does).
 */
const root = process.getuid?.() === 0;

let fx: Fixture;
let dataDir: string;
let operatorHome: string;
const secrets = {
  TEMPORAL_ADDRESS: 'localhost:7233',
  // Assembled at run time: the repository holds no URL with a password (the redaction scan reads it).
  DATABASE_URL: ['postgres://moonmind', 'pw@127.0.0.1:5432/moonmind'].join(':'),
  MOONMIND_WORKER_TOKEN: 'worker-token-for-tests-0001',
  ANTHROPIC_API_KEY: 'sk-ant-not-for-codex',
  GEMINI_API_KEY: 'gemini-not-for-codex',
  OPENAI_API_KEY: 'sk-codex-own-key',
};

beforeAll(async () => {
  if (!root) return;
  // An operator home like /root: private, with every CLI's login in it.
  const made = await startFixture({}, 'data/workspaces');
  operatorHome = join(made.dir, 'operator-home');
  for (const [dir, file] of [
    ['.codex', 'auth.json'],
    ['.claude', '.credentials.json'],
    ['.gemini', 'oauth_creds.json'],
  ]) {
    await mkdir(join(operatorHome, dir), { recursive: true });
    await writeFile(join(operatorHome, dir, file), `{"login":"${dir}"}\n`);
  }
  await chmod(operatorHome, 0o700);
  made.deps.env = { ...made.deps.env, ...secrets, HOME: operatorHome };
  // The data dir as an earlier version left it (readable), then protected as the launcher does at start.
  dataDir = join(made.dir, 'data');
  await mkdir(join(dataDir, 'artifacts', 'job-1', 'logs'), { recursive: true, mode: 0o755 });
  await writeFile(join(dataDir, 'artifacts', 'job-1', 'logs', 'execute.log'), 'secret log\n', {
    mode: 0o644,
  });
  await writeFile(join(dataDir, 'temporal.db'), 'db', { mode: 0o644 });
  await protectDataDir(dataDir, join(dataDir, 'workspaces'));
  await makeBareRepo(made.gitBase, 'acme/widgets');
  fx = made;
});
afterAll(async () => {
  await fx?.close();
});

async function until(check: () => boolean, ms: number) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Probe {
  uid: number;
  gid: number;
  groups: number[];
  env: string[];
  home: string;
  tmpdir: string;
  gitStatus: string;
  results: Record<string, string>;
}

describe.runIf(root)('the agent in its box', () => {
  it('sees only its own environment and workspace, nothing of the worker, the data dir or another run', async () => {
    // Run A: an agent that keeps running (and writes its pid) while run B probes it.
    const a = prepareInput(
      taskPayload({ instructions: 'Hold on', steps: [{ instructions: 'FAKE_SPAWN_CHILD FAKE_SLEEP=4' }] }),
    );
    const preparedA = await run(fx.activities.prepare, a);
    const runningA = new MockActivityEnvironment().run(fx.activities.executeStep, stepInput(a, preparedA, 0));
    await until(
      () => existsSync(fx.pidsFile) && readFileSync(fx.pidsFile, 'utf8').split('\n').length >= 3,
      10_000,
    );
    const [pidA] = readFileSync(fx.pidsFile, 'utf8').trim().split('\n').map(Number);

    const b = prepareInput(
      taskPayload({ instructions: 'Probe', steps: [{ instructions: 'FAKE_PROBE=placeholder' }] }),
    );
    const preparedB = await run(fx.activities.prepare, b);
    const wsA = preparedA.workspace;
    const wsB = preparedB.workspace;
    const denied = [
      // The worker (activities run in this process); under a PTY the agent's parent is its own `sh` wrapper.
      `/proc/${process.pid}/environ`,
      `/proc/${pidA}/environ`,
      `/proc/${pidA}/cwd`,
      join(wsA, 'repo', 'README.md'),
      join(wsA, 'repo'),
      join(wsA, 'artifacts', 'logs', 'prepare.log'),
      join(wsB, 'artifacts', 'task_context.json'),
      join(dataDir, 'artifacts', 'job-1', 'logs', 'execute.log'),
      join(dataDir, 'temporal.db'),
      join(operatorHome, '.codex', 'auth.json'),
      join(operatorHome, '.claude', '.credentials.json'),
      `write:${join(wsB, 'git', 'planted')}`,
      `write:${join(wsB, 'git', 'config')}`,
      `write:${join(wsB, 'skills_active', 'planted')}`,
      `write:${join(wsB, 'operator_inbox.jsonl')}`,
    ];
    // What it may read: the probe itself works, so a denial above is the box, not a broken probe.
    const allowed = [
      join(wsB, 'repo', 'README.md'),
      join(wsB, 'operator_inbox.jsonl'),
      join(wsB, 'home', '.codex', 'auth.json'),
      join(wsB, 'git', 'HEAD'),
      '/proc/self/environ',
    ];
    const writable = [`write:${join(wsB, 'tmp', 'scratch')}`, `write:${join(wsB, 'home', 'scratch')}`];
    b.payload.task.steps[0].instructions = `FAKE_PROBE=${encodeURIComponent(JSON.stringify([...denied, ...allowed, ...writable]))}`;
    expect(await run(fx.activities.executeStep, stepInput(b, preparedB, 0))).toMatchObject({ exitCode: 0 });
    const probe = JSON.parse(await readFile(join(wsB, 'repo', 'PROBE.json'), 'utf8')) as Probe;

    expect(probe.uid).not.toBe(0);
    expect(probe.uid).toBe(fx.deps.sandbox.user?.uid);
    const groupA = (await stat(wsA)).gid;
    expect(probe.gid).toBe((await stat(wsB)).gid);
    expect(probe.gid).not.toBe(groupA);
    expect(probe.groups).toEqual([probe.gid]);

    expect(
      probe.env.filter((n) => /^(MOONMIND_|TEMPORAL_|DATABASE_URL$|ANTHROPIC_|GEMINI_|GITHUB_|GH_)/.test(n)),
    ).toEqual([]);
    expect(probe.env).toEqual(
      expect.arrayContaining(['PATH', 'HOME', 'TMPDIR', 'CODEX_HOME', 'OPENAI_API_KEY']),
    );
    expect(probe).toMatchObject({ home: join(wsB, 'home'), tmpdir: join(wsB, 'tmp') });

    expect(Object.fromEntries(denied.map((p) => [p, probe.results[p]]))).toEqual(
      Object.fromEntries(denied.map((p) => [p, 'EACCES'])),
    );
    expect(Object.fromEntries(allowed.map((p) => [p, probe.results[p]]))).toEqual(
      Object.fromEntries(allowed.map((p) => [p, 'read'])),
    );
    expect(Object.fromEntries(writable.map((p) => [p, probe.results[p]]))).toEqual(
      Object.fromEntries(writable.map((p) => [p, 'written'])),
    );
    expect(probe.gitStatus).toBe('ok');
    // Only its own runtime's login was copied.
    expect(existsSync(join(wsB, 'home', '.claude'))).toBe(false);
    expect(existsSync(join(wsB, 'home', '.gemini'))).toBe(false);

    expect(await runningA).toMatchObject({ exitCode: 0 });
  });

  it('a workspace is root:<group> 0710 while its attempt runs; released, it is closed and its group free', async () => {
    const input = prepareInput(
      taskPayload({ instructions: 'Nothing', steps: [{ instructions: 'FAKE_NOOP' }] }),
    );
    const prepared = await run(fx.activities.prepare, input);
    const ws = prepared.workspace;
    const mode = async (p: string) => {
      const st = await stat(p);
      return { uid: st.uid, gid: st.gid, mode: (st.mode & 0o7777).toString(8) };
    };
    const group = (await stat(ws)).gid;
    const agent = fx.deps.sandbox.user?.uid;
    expect(await mode(ws)).toEqual({ uid: 0, gid: group, mode: '710' });
    expect(await mode(join(ws, 'repo'))).toMatchObject({ uid: agent, gid: group });
    expect(await mode(join(ws, 'home'))).toMatchObject({ uid: agent, gid: group });
    expect(await mode(join(ws, 'tmp'))).toMatchObject({ uid: agent, gid: group });
    expect(await mode(join(ws, 'skills_active'))).toEqual({ uid: 0, gid: group, mode: '750' });
    expect(await mode(join(ws, 'git'))).toEqual({ uid: 0, gid: group, mode: '750' });
    expect(await mode(join(ws, 'operator_inbox.jsonl'))).toEqual({ uid: 0, gid: group, mode: '640' });
    expect(await mode(join(ws, 'artifacts'))).toEqual({ uid: 0, gid: 0, mode: '700' });
    expect(await mode(join(ws, '..'))).toMatchObject({ mode: '711' });
    expect(await mode(join(dataDir, 'workspaces'))).toMatchObject({ mode: '711' });
    expect(await mode(dataDir)).toMatchObject({ mode: '711' });
    expect(await mode(join(dataDir, 'artifacts'))).toMatchObject({ mode: '700' });

    const lock = `/run/moonmind/agent-gids/${group}`;
    expect(await readlink(lock)).toBe(`${process.pid} ${ws}`);
    await run(fx.activities.releaseHost, { jobId: input.jobId, workspace: ws });
    expect(await mode(ws)).toEqual({ uid: 0, gid: 0, mode: '700' });
    expect(await lstat(lock).catch(() => null)).toBeNull();
  });
});
