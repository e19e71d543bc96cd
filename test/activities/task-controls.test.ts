import { existsSync, readFileSync, rmSync } from 'node:fs';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrepareResult } from '../../contracts/activities.ts';
import {
  type Fixture,
  makeBareRepo,
  prepareInput,
  run,
  startFixture,
  stepInput,
  taskPayload,
} from './task-fixture.ts';

/** Process state letter from /proc (R, S, T stopped, Z zombie), or null when the process is gone. */
function procState(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0];
  } catch {
    return null;
  }
}
const alive = (pid: number) => {
  const s = procState(pid);
  return s !== null && s !== 'Z';
};
async function until(check: () => boolean, ms: number) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
  await makeBareRepo(fx.gitBase, 'acme/widgets');
});
afterAll(async () => {
  await fx?.close();
});

async function startLongStep(seconds: number) {
  const payload = taskPayload({
    instructions: 'Work long',
    steps: [{ instructions: `FAKE_SPAWN_CHILD FAKE_SLEEP=${seconds}` }],
  });
  const input = prepareInput(payload);
  const prepared: PrepareResult = await run(fx.activities.prepare, input);
  const step = stepInput(input, prepared, 0);
  rmSync(fx.pidsFile, { force: true });
  const env = new MockActivityEnvironment();
  const running = env.run(fx.activities.executeStep, step);
  await until(
    () => existsSync(fx.pidsFile) && readFileSync(fx.pidsFile, 'utf8').split('\n').length >= 3,
    10_000,
  );
  const [agent, grandchild] = readFileSync(fx.pidsFile, 'utf8').trim().split('\n').map(Number);
  return { env, running, agent, grandchild, input, prepared };
}

describe('controls reaching a running step', () => {
  it('cancellation stops the whole process group, grandchild included, within a few seconds', async () => {
    const { env, running, agent, grandchild, input } = await startLongStep(60);
    expect(alive(agent) && alive(grandchild)).toBe(true);
    const t0 = Date.now();
    env.cancel();
    const err = await running.catch((e) => e);
    expect(err).toBeInstanceOf(CancelledFailure);
    await until(() => !alive(agent) && !alive(grandchild), 5_000);
    expect(Date.now() - t0).toBeLessThan(6_000);
    const failed = fx.api.events(input.jobId).find((e) => e.type === 'task.step.failed');
    expect(failed?.payload).toMatchObject({ cancelled: true });
    expect(fx.api.artifacts.get(`${input.jobId}/logs/steps/step-0001.log`)?.body).toContain(
      'reading the task',
    );
  });

  it('hard pause stops the process group at once and resume continues it (steerStep, no polling)', async () => {
    const { running, agent, grandchild, input, prepared } = await startLongStep(3);
    const steer = (action: 'suspend' | 'resume') =>
      run(fx.activities.steerStep, { jobId: input.jobId, attempt: 1, workspace: prepared.workspace, action });
    const t0 = Date.now();
    expect(await steer('suspend')).toEqual({ applied: true });
    await until(() => procState(agent) === 'T' && procState(grandchild) === 'T', 1_000);
    expect(Date.now() - t0).toBeLessThan(1_000);
    const logCount = () => fx.api.events(input.jobId).filter((e) => e.type === 'log').length;
    await new Promise((r) => setTimeout(r, 500));
    const frozen = logCount();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(logCount()).toBe(frozen);
    const t1 = Date.now();
    await steer('resume');
    await until(() => procState(agent) !== 'T' && procState(grandchild) !== 'T', 1_000);
    expect(Date.now() - t1).toBeLessThan(1_000);
    expect(await running).toMatchObject({ exitCode: 0 });
    await until(() => !alive(grandchild), 3_000); // nothing the agent left behind outlives the step
    expect(fx.api.events(input.jobId).map((e) => e.type)).toEqual(
      expect.arrayContaining(['runtime.suspended', 'runtime.resumed', 'task.step.finished']),
    );
  });
});
