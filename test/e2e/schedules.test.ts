import { ScheduleNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../contracts/job.ts';
import type { ScheduleView } from '../../contracts/schedules.ts';
import type { TaskPayload } from '../../contracts/task.ts';
import { createGitRemote, type GitRemote } from '../support/git.ts';
import { getJob, waitForStatus } from '../support/jobs.ts';
import { type Stack, startStack } from '../support/stack.ts';
import { recordedDir, writeHistory } from '../workflows/histories.ts';

/** Recurring tasks on Temporal Schedules, through the API, on the real dev server with a fake-agent worker. */
describe('schedules', () => {
  let stack: Stack;
  let remote: GitRemote;
  beforeAll(async () => {
    remote = await createGitRemote(['octo/sched']);
    stack = await startStack();
    await stack.startWorker({
      pool: 'sched',
      capabilities: ['codex', 'git'],
      concurrency: 3,
      env: { MOONMIND_GIT_BASE_URL: remote.baseUrl },
    });
  });
  afterAll(() => stack?.stop());

  const task = (instructions: string, step = 'Say hello') => ({
    type: 'task',
    payload: {
      repository: 'octo/sched',
      task: { instructions, publish: { mode: 'none' }, steps: [{ instructions: step }] },
    },
  });
  const create = async (body: Record<string, unknown>) => {
    const res = await stack.api('/api/schedules', { method: 'POST', json: body });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as ScheduleView;
  };
  const get = async (id: string) => (await (await stack.api(`/api/schedules/${id}`)).json()) as ScheduleView;
  const patch = (id: string, json: unknown) => stack.api(`/api/schedules/${id}`, { method: 'PATCH', json });
  const until = async (id: string, accept: (s: ScheduleView) => boolean, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    let last = await get(id);
    while (!accept(last)) {
      if (Date.now() > deadline) throw new Error(`schedule never got there: ${JSON.stringify(last)}`);
      await new Promise((r) => setTimeout(r, 300));
      last = await get(id);
    }
    return last;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** The jobs the queue lists as fired by this schedule. */
  const listedJobsOf = async (id: string) => {
    const res = await stack.api('/api/queue/jobs?q=octo%2Fsched&limit=100');
    const { items } = (await res.json()) as { items: JobView[] };
    return items.filter((j) => j.origin && 'scheduleId' in j.origin && j.origin.scheduleId === id);
  };

  it('refuses bad input with a 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'x', spec: { cron: 'every day' }, job: task('x') }, 'spec.cron'],
      [{ name: 'x', spec: { cron: '61 * * * *' }, job: task('x') }, 'spec.cron'],
      [{ name: 'x', spec: { interval: '5 minutes' }, job: task('x') }, 'spec.interval'],
      [{ name: 'x', spec: { interval: '1h', timezone: 'Mars/Olympus' }, job: task('x') }, 'spec.timezone'],
      [{ name: 'x', spec: { interval: '1h', overlap: 'sometimes' }, job: task('x') }, 'spec.overlap'],
      [{ name: 'x', spec: { timezone: 'UTC' }, job: task('x') }, 'spec.cron'],
      [{ name: '', spec: { interval: '1h' }, job: task('x') }, 'name'],
      [
        {
          name: 'x',
          spec: { interval: '1h' },
          job: {
            type: 'task',
            payload: { repository: 'octo/sched', task: { instructions: 'x', publish: { mode: 'sideways' } } },
          },
        },
        'job.payload.task.publish.mode',
      ],
    ];
    for (const [body, path] of cases) {
      const res = await stack.api('/api/schedules', { method: 'POST', json: body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      const { error } = await res.json();
      expect(
        error.issues.map((i: { path: string }) => i.path),
        JSON.stringify(body),
      ).toContain(path);
    }
    const listed = (await (await stack.api('/api/schedules')).json()) as { items: ScheduleView[] };
    expect(listed.items).toEqual([]);
  });

  it('fires every 2 s, each fire a normal job linked to the schedule; pause stops fires, unpause resumes, delete removes it', async () => {
    const s = await create({
      name: 'Every two seconds',
      spec: { interval: '2s' },
      job: task('Scheduled hello'),
    });
    expect(s.id).toMatch(/^schedule-every-two-seconds-[0-9a-f]{6}$/);
    expect(s.specText).toBe('every 2 seconds');
    expect(s.spec.overlap).toBe('skip');
    expect(new Date(s.nextFireTimes[0]).getTime()).toBeGreaterThan(Date.now() - 2_000);

    const fired = await until(s.id, (v) => v.recentFires.length >= 2);
    const [newest] = fired.recentFires;
    const job = await waitForStatus(stack, newest.jobId, ['succeeded', 'failed', 'dead_letter']);
    expect(job.status).toBe('succeeded');
    expect(job.origin).toMatchObject({ scheduleId: s.id });
    expect(job.temporal.workflowId).toBe(`job-${newest.jobId}`);
    expect((job.payload as TaskPayload).task.instructions).toBe('Scheduled hello');
    // For the record (not a speed check): how long from Temporal taking the fire to the job submitted.
    console.log(`fire → job submitted: ${Date.parse(job.createdAt) - Date.parse(newest.firedAt)} ms`);
    expect((await get(s.id)).recentFires.find((f) => f.jobId === newest.jobId)?.started).toBe(true);
    // Listed in the queue like any job, with its origin.
    await expect
      .poll(async () => (await listedJobsOf(s.id)).map((j) => j.id), { timeout: 15_000 })
      .toContain(newest.jobId);

    const paused = await patch(s.id, { paused: true, note: 'quiet hours' });
    expect(paused.status).toBe(200);
    expect(await paused.json()).toMatchObject({ paused: true, note: 'quiet hours' });
    const before = (await get(s.id)).firedCount;
    await sleep(5_000);
    expect((await get(s.id)).firedCount).toBe(before);

    expect((await patch(s.id, { paused: false })).status).toBe(200);
    await until(s.id, (v) => v.firedCount > before);

    expect((await stack.api(`/api/schedules/${s.id}`, { method: 'DELETE' })).status).toBe(204);
    await expect(stack.client.schedule.getHandle(s.id).describe()).rejects.toBeInstanceOf(
      ScheduleNotFoundError,
    );
    expect((await stack.api(`/api/schedules/${s.id}`)).status).toBe(404);
    // The jobs it fired stay, as normal jobs.
    expect((await getJob(stack, newest.jobId)).origin).toMatchObject({ scheduleId: s.id });
  });

  it('overlap skip: while a long run is open, the next fires are skipped, not run', async () => {
    const s = await create({
      name: 'Long',
      spec: { interval: '1s', overlap: 'skip' },
      job: task('Long scheduled work', 'FAKE_SLEEP=12'),
    });
    const first = await until(s.id, (v) => v.recentFires.length >= 1);
    const running = await waitForStatus(stack, first.recentFires[0].jobId, 'running');
    // The fire waits for its run: that is what the overlap policy sees.
    const fireId = (running.origin as { fireId: string }).fireId;
    expect(fireId.startsWith(`${s.id}-`)).toBe(true);
    expect((await stack.client.workflow.getHandle(fireId).describe()).status.name).toBe('RUNNING');
    await sleep(6_000);
    const later = await get(s.id);
    expect(later.firedCount).toBe(1);
    expect(later.skippedCount).toBeGreaterThanOrEqual(4);
    await expect.poll(async () => (await listedJobsOf(s.id)).length, { timeout: 10_000 }).toBe(1);
    expect((await stack.api(`/api/schedules/${s.id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('overlap cancel_other: the next fire cancels the open run, which ends cancelled, and runs', async () => {
    const s = await create({
      name: 'Latest only',
      spec: { interval: '4s', overlap: 'cancel_other' },
      job: task('Only the latest matters', 'FAKE_SLEEP=60'),
    });
    const first = await until(s.id, (v) => v.recentFires.length >= 1);
    const firstJob = first.recentFires[0].jobId;
    await waitForStatus(stack, firstJob, 'running');
    const second = await until(s.id, (v) => v.recentFires.length >= 2, 15_000);
    expect((await waitForStatus(stack, firstJob, ['cancelled', 'succeeded', 'failed'])).status).toBe(
      'cancelled',
    );
    expect(second.recentFires[0].jobId).not.toBe(firstJob);
    await waitForStatus(stack, second.recentFires[0].jobId, 'running');
    expect((await stack.api(`/api/schedules/${s.id}`, { method: 'DELETE' })).status).toBe(204);
  });

  it('a cron in a time zone, edited by PATCH, and triggered now', async () => {
    const s = await create({
      name: 'Mornings in Paris',
      spec: { cron: '0 9 * * *', timezone: 'Europe/Paris' },
      job: task('Morning check'),
      paused: true,
      note: 'not yet',
    });
    expect(s.specText).toBe('cron 0 9 * * * (Europe/Paris)');
    // 09:00 in Paris is 08:00 UTC in winter, 07:00 in summer.
    expect(s.nextFireTimes[0]).toMatch(/T0[78]:00:00\.000Z$/);
    expect(s.paused).toBe(true);

    const bad = await patch(s.id, {
      job: { type: 'task', payload: { repository: 'octo/sched', task: { instructions: '' } } },
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.issues[0].path).toMatch(/^job\.payload\.task\.instructions/);

    const edited = await patch(s.id, { spec: { interval: '1h' }, job: task('Edited check') });
    expect(edited.status).toBe(200);
    const view = (await edited.json()) as ScheduleView;
    expect(view).toMatchObject({ specText: 'every hour', title: 'Edited check', paused: true });

    const triggered = await stack.api(`/api/schedules/${s.id}/trigger`, { method: 'POST' });
    expect(triggered.status).toBe(202);
    const fired = await until(s.id, (v) => v.recentFires.length === 1);
    const job = await waitForStatus(stack, fired.recentFires[0].jobId, [
      'succeeded',
      'failed',
      'dead_letter',
    ]);
    expect(job.status).toBe('succeeded');
    expect((job.payload as TaskPayload).task.instructions).toBe('Edited check');
    expect(job.origin).toMatchObject({ scheduleId: s.id });
    // The fire ends with its run; its history is kept for the bundle's replay test.
    const fire = stack.client.workflow.getHandle((job.origin as { fireId: string }).fireId);
    expect(await fire.result()).toEqual({ jobId: job.id, status: 'succeeded' });
    await writeHistory(recordedDir, 'scheduled-fire', await fire.fetchHistory());
  });

  it('stops submitting once its owner may no longer: the fire fails, no job is started', async () => {
    const user = await (
      await stack.api('/api/admin/users', { method: 'POST', json: { name: 'scheduler', role: 'operator' } })
    ).json();
    const { token } = await (
      await stack.api(`/api/admin/users/${user.id}/tokens`, { method: 'POST', json: {} })
    ).json();
    const res = await stack.api('/api/schedules', {
      method: 'POST',
      token,
      json: { name: 'Owned', spec: { cron: '@yearly' }, job: task('Owned work'), paused: true },
    });
    expect(res.status).toBe(201);
    const s = (await res.json()) as ScheduleView;
    expect(s.owner).toEqual({ id: user.id, name: 'scheduler' });
    // As `moonmind` (the admin CLI) would: the user is disabled.
    await stack.db.sql`UPDATE users SET disabled_at = now() WHERE id = ${user.id}`;

    expect((await stack.api(`/api/schedules/${s.id}/trigger`, { method: 'POST' })).status).toBe(202);
    const fired = await until(s.id, (v) => v.recentFires.length === 1);
    const [action] = (await stack.client.schedule.getHandle(s.id).describe()).info.recentActions;
    const failure = await stack.client.workflow
      .getHandle(action.action.workflow.workflowId)
      .result()
      .then(
        () => null,
        (err: Error & { cause?: Error }) => err.cause?.message ?? err.message,
      );
    expect(failure).toContain('owner can no longer submit');
    expect((await stack.api(`/api/queue/jobs/${fired.recentFires[0].jobId}`)).status).toBe(404);
    expect((await get(s.id)).recentFires[0].started).toBe(false);
  });
});
