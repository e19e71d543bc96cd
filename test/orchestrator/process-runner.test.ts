import { execFileSync, spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceEnv } from '../../activities/orchestrator/service/command.ts';
import { groupRunning } from '../../activities/orchestrator/service/group.ts';
import { processRunner } from '../../activities/orchestrator/service/process-runner.ts';
import { createServiceFixture, runnerContext, type ServiceFixture } from './service-fixture.ts';

const env = serviceEnv(process.env);
const runner = processRunner(env);
let fixture: ServiceFixture;

beforeAll(async () => {
  fixture = await createServiceFixture([
    { name: 'app' },
    { name: 'broken', broken: 'invalid-json' },
    // Prints its process group, then waits on two sleeps of that group: one in the background.
    { name: 'slow', profile: { build: { command: 'echo "pgid $$"; sleep 30 & sleep 30' } } },
    { name: 'late', profile: { build: { command: 'sleep 30', timeoutSeconds: 1 } } },
    { name: 'envdump', profile: { build: { command: 'env' } } },
  ]);
});
afterAll(() => fixture?.close());

describe('process runner', () => {
  it('builds, starts, reports state and logs, and restarts onto a new process', async () => {
    const ctx = runnerContext(fixture, 'app');
    expect(await runner.state(ctx)).toEqual({ running: false, detail: 'not started (no pid file)' });

    const build = await runner.build(ctx);
    expect(build).toMatchObject({ ok: true, exitCode: 0 });
    expect(build.detail).toMatch(/^exit 0 in \d+/);
    expect(ctx.lines).toContain('build ok: dist/build-stamp.json written');
    const stamp = JSON.parse(await readFile(path.join(ctx.root, 'dist/build-stamp.json'), 'utf8'));
    expect(stamp.config.port).toBe(fixture.services.app.port);

    const first = await runner.restart(ctx);
    expect(first.ok).toBe(true);
    const pid = await fixture.services.app.pid();
    expect(first.detail).toMatch(new RegExp(`^started pid ${pid} in`));
    expect(await runner.state(ctx)).toEqual({ running: true, detail: `pid ${pid} running` });
    await expect.poll(() => fixture.services.app.healthStatus(), { timeout: 5_000 }).toBe(200);
    expect((await runner.recentLogs(ctx, 5)).join('\n')).toMatch(/listening on \d+ at \d+/);

    const second = await runner.restart(ctx);
    expect(second.ok).toBe(true);
    expect(ctx.lines).toContain(`stopped pid ${pid}`);
    expect(groupRunning(pid!)).toBe(false);
    const next = await fixture.services.app.pid();
    expect(next).not.toBe(pid);
    await expect.poll(() => fixture.services.app.healthStatus(), { timeout: 5_000 }).toBe(200);
    // Both starts' output is in the log, the newest last.
    const logs = await runner.recentLogs(ctx, 10);
    expect(logs.filter((l) => l.startsWith('listening on'))).toHaveLength(2);
    expect(await runner.recentLogs(ctx, 1)).toHaveLength(1);
  });

  it('fails a build of an invalid config with its output, and the state of a service that died', async () => {
    const ctx = runnerContext(fixture, 'broken');
    const build = await runner.build(ctx);
    expect(build).toMatchObject({ ok: false, exitCode: 1 });
    expect(build.detail).toMatch(/^exit 1 in/);
    expect(ctx.lines.join('\n')).toContain('build failed: config.json is not valid JSON');

    // Started anyway, the server exits on the config it cannot read.
    expect((await runner.restart(ctx)).ok).toBe(true);
    await expect.poll(async () => (await runner.state(ctx)).running, { timeout: 5_000 }).toBe(false);
    expect((await runner.state(ctx)).detail).toMatch(/^pid \d+ not running$/);
    await expect
      .poll(async () => (await runner.recentLogs(ctx, 5)).join('\n'), { timeout: 5_000 })
      .toContain('config.json:');
  });

  it('cancelled mid-build, stops the whole process group: nothing of it is left', async () => {
    const abort = new AbortController();
    const ctx = runnerContext(fixture, 'slow', abort.signal);
    const building = runner.build(ctx);
    await expect.poll(() => ctx.lines.find((l) => l.startsWith('pgid ')), { timeout: 5_000 }).toBeDefined();
    const pgid = Number(ctx.lines.find((l) => l.startsWith('pgid '))!.slice(5));
    await expect.poll(() => groupMembers(pgid), { timeout: 5_000 }).toBeGreaterThanOrEqual(2);

    const cancelledAt = Date.now();
    abort.abort();
    const outcome = await building;
    expect(outcome).toMatchObject({ ok: false, exitCode: null, detail: 'cancelled' });
    // Stopped on SIGTERM, without waiting out the grace before SIGKILL.
    expect(Date.now() - cancelledAt).toBeLessThan(2_500);
    expect(groupRunning(pgid)).toBe(false);
    expect(groupMembers(pgid)).toBe(0);
  });

  it('stops a build that outlives its timeout', async () => {
    const ctx = runnerContext(fixture, 'late');
    const outcome = await runner.build(ctx);
    expect(outcome).toMatchObject({ ok: false, exitCode: null, detail: 'timed out after 1.0 s' });
    expect(outcome.durationMs).toBeLessThan(2_500);
  });

  it("builds without the worker's credentials and settings in the environment", async () => {
    const workerEnv = {
      ...process.env,
      MOONMIND_WORKER_TOKEN: `mmw_${'a'.repeat(32)}`,
      DATABASE_URL: process.env.MOONMIND_TEST_DATABASE_URL ?? 'postgres://127.0.0.1/none',
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      GITHUB_TOKEN: `ghp_${'b'.repeat(36)}`,
      HTTPS_PROXY: 'http://proxy.internal:3128',
    };
    const ctx = runnerContext(fixture, 'envdump');
    const outcome = await processRunner(serviceEnv(workerEnv, ['HTTPS_PROXY'])).build(ctx);
    expect(outcome.ok).toBe(true);
    const names = ctx.lines.map((l) => l.split('=')[0]);
    expect(names).toContain('PATH');
    expect(names).toContain('HTTPS_PROXY');
    for (const secret of ['MOONMIND_WORKER_TOKEN', 'DATABASE_URL', 'TEMPORAL_ADDRESS', 'GITHUB_TOKEN'])
      expect(names).not.toContain(secret);
    expect(ctx.lines.join('\n')).not.toContain(workerEnv.MOONMIND_WORKER_TOKEN);
  });

  it("does not stop a process that is not the service's (a stale pid file)", async () => {
    const ctx = runnerContext(fixture, 'envdump');
    // Another program, elsewhere, now holds the pid the file names.
    const other = spawn('sleep', ['30'], { cwd: fixture.dir, detached: true, stdio: 'ignore' });
    try {
      await mkdir(path.dirname(ctx.profile.pidFile!), { recursive: true });
      await writeFile(ctx.profile.pidFile!, `${other.pid}\n`);
      expect(await runner.state(ctx)).toEqual({
        running: false,
        detail: `pid ${other.pid} is not this service's`,
      });
      await runner.restart(ctx);
      expect(groupRunning(other.pid!)).toBe(true);
    } finally {
      other.kill('SIGKILL');
      const pid = await readFile(ctx.profile.pidFile!, 'utf8').catch(() => '');
      if (Number(pid) > 1) process.kill(-Number(pid), 'SIGKILL');
    }
  });
});

/** How many processes of the group `pgid` run (`ps` lists every process's group and state; zombies are dead). */
function groupMembers(pgid: number): number {
  const out = execFileSync('ps', ['-e', '-o', 'pgid=,stat='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([group, stat]) => Number(group) === pgid && !stat?.startsWith('Z')).length;
}
