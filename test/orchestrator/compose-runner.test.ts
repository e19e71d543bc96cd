import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serviceEnv } from '../../activities/orchestrator/service/command.ts';
import { containerState, parsePs } from '../../activities/orchestrator/service/compose-runner.ts';
import type { RunnerContext } from '../../activities/orchestrator/service/runner.ts';
import { runnerFor } from '../../activities/orchestrator/service/runners.ts';
import { loadServiceProfiles, type ServiceProfiles } from '../../lib/service-profiles.ts';

const double = fileURLToPath(new URL('../fakes/docker-double.mjs', import.meta.url));
let dir: string;
let profiles: ServiceProfiles;

/** `docker compose ps --format json` of Compose v2.21+: one object per line. */
const psLines = [
  {
    ID: 'a1',
    Name: 'shop-frontend-1',
    Service: 'frontend',
    Project: 'shop',
    State: 'running',
    Health: 'healthy',
    ExitCode: 0,
    Status: 'Up 3 seconds (healthy)',
  },
]
  .map((e) => JSON.stringify(e))
  .join('\n');
/** The same of earlier v2 releases: one JSON array. */
const psArray = JSON.stringify([
  {
    ID: 'b2',
    Name: 'shop-frontend-1',
    Service: 'frontend',
    State: 'exited',
    ExitCode: 1,
    Status: 'Exited (1) 2 seconds ago',
  },
]);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mm-compose-'));
  const file = path.join(dir, 'services.yaml');
  await writeFile(
    file,
    `services:
  web:
    root: ./shop
    editable: [Dockerfile]
    compose: { file: deploy/compose.yml, project: shop, service: frontend }
    build: { command: unused, timeoutSeconds: 30 }
    health: { url: "http://127.0.0.1:1/health" }
  worker:
    root: ./shop
    editable: [Dockerfile]
    health: { url: "http://127.0.0.1:1/health" }
`,
  );
  profiles = loadServiceProfiles(file);
  await mkdir(path.join(dir, 'shop'), { recursive: true });
});
afterAll(() => rm(dir, { recursive: true, force: true }));
beforeEach(() => rm(path.join(dir, 'calls.jsonl'), { force: true }));

function context(name: string): RunnerContext & { lines: string[] } {
  const profile = profiles.get(name)!;
  const lines: string[] = [];
  return {
    name,
    profile,
    root: profile.root,
    signal: new AbortController().signal,
    lines,
    log: (l) => lines.push(l),
  };
}
const runner = (name: string) =>
  runnerFor(profiles.get(name)!, {
    dockerCommand: `"${process.execPath}" ${double}`,
    env: { ...serviceEnv(process.env), DOCKER_DOUBLE_DIR: dir },
  });
async function calls(): Promise<{ argv: string[]; cwd: string }[]> {
  const text = await readFile(path.join(dir, 'calls.jsonl'), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

describe('compose runner', () => {
  it('runs docker compose build, up and logs with the profile file, project and service', async () => {
    const ctx = context('web');
    const compose = ['compose', '-f', path.join(dir, 'shop/deploy/compose.yml'), '-p', 'shop'];
    await writeFile(path.join(dir, 'logs.out'), 'frontend-1  | boot\nfrontend-1  | ready\n');
    expect((await runner('web').build(ctx)).ok).toBe(true);
    expect((await runner('web').restart(ctx)).ok).toBe(true);
    expect(await runner('web').recentLogs(ctx, 50)).toEqual(['frontend-1  | boot', 'frontend-1  | ready']);
    expect(await calls()).toEqual([
      { argv: [...compose, 'build', 'frontend'], cwd: path.join(dir, 'shop') },
      { argv: [...compose, 'up', '-d', '--no-deps', 'frontend'], cwd: path.join(dir, 'shop') },
      { argv: [...compose, 'logs', '--no-color', '--tail', '50', 'frontend'], cwd: path.join(dir, 'shop') },
    ]);
    expect(ctx.lines).toEqual(['docker-double: build done', 'docker-double: up done']);
  });

  it('defaults the compose file to the root, no project flag, and the service to the profile name', async () => {
    await runner('worker').build(context('worker'));
    expect((await calls())[0].argv).toEqual([
      'compose',
      '-f',
      path.join(dir, 'shop/docker-compose.yml'),
      'build',
      'worker',
    ]);
  });

  it('reads the container state from both forms of ps output', async () => {
    await writeFile(path.join(dir, 'ps.out'), `${psLines}\n`);
    expect(await runner('web').state(context('web'))).toEqual({
      running: true,
      detail: 'container shop-frontend-1 running (Up 3 seconds (healthy))',
    });
    expect((await calls())[0].argv.slice(-5)).toEqual(['ps', '--all', '--format', 'json', 'frontend']);
    await writeFile(path.join(dir, 'ps.out'), psArray);
    expect(await runner('web').state(context('web'))).toEqual({
      running: false,
      detail: 'container shop-frontend-1 exited (Exited (1) 2 seconds ago)',
    });
    await writeFile(path.join(dir, 'ps.out'), '');
    expect(await runner('web').state(context('web'))).toEqual({
      running: false,
      detail: 'no container for service frontend',
    });
    await writeFile(path.join(dir, 'ps.out'), 'Cannot connect to the Docker daemon\n');
    expect((await runner('web').state(context('web'))).detail).toBe(
      'docker compose ps printed no JSON: Cannot connect to the Docker daemon',
    );
  });

  it('fails a step whose docker command fails, with its output in the log', async () => {
    await writeFile(path.join(dir, 'fail.txt'), 'build');
    try {
      const ctx = context('web');
      const outcome = await runner('web').build(ctx);
      expect(outcome).toMatchObject({ ok: false, exitCode: 1 });
      expect(ctx.lines).toEqual(['docker-double: build failed as asked']);
    } finally {
      await rm(path.join(dir, 'fail.txt'));
    }
  });

  it('parses ps output: lines, an array, and unhealthy or other services not counted as running', () => {
    expect(parsePs(psLines)).toHaveLength(1);
    expect(parsePs(psArray)).toHaveLength(1);
    expect(parsePs('  \n')).toEqual([]);
    const unhealthy = { Name: 'shop-frontend-1', Service: 'frontend', State: 'running', Health: 'unhealthy' };
    expect(containerState('frontend', [unhealthy]).running).toBe(false);
    const other = { Name: 'shop-db-1', Service: 'db', State: 'running' };
    expect(containerState('frontend', [other])).toEqual({
      running: false,
      detail: 'no container for service frontend',
    });
    // One replica running is enough.
    expect(
      containerState('frontend', [
        { ...unhealthy, State: 'exited' },
        { ...other, Service: 'frontend' },
      ]).running,
    ).toBe(true);
  });
});
