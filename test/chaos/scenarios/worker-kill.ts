import type { GitRemote } from '../../support/git.ts';
import { listEvents } from '../../support/jobs.ts';
import { checkDelivery, percentile, seconds } from '../checks.ts';
import type { Launcher } from '../launcher.ts';
import { attemptStarted, restartDelay, submitLongRun, waitForEnd, waitMidStep } from '../runs.ts';
import { attemptSummary, type ChaosContext, runsAndKills, type Scenario } from '../scenario.ts';

/** The launcher gives up on a service after 5 crashes in 10 minutes: a fresh launcher per 5 kills. */
const KILLS_PER_LAUNCHER = 5;

interface Kill {
  toNextAttemptMs: number;
  restartDelayS: number;
  attemptFailed: string;
  attempt: number;
  lost: number;
  duplicates: number;
  failures: string[];
}

/** kill -9 the worker mid-step; the launcher restarts it and the run completes on a later attempt there. */
async function killOnce(launcher: Launcher, repository: string, remote: GitRemote): Promise<Kill> {
  const failures: string[] = [];
  const job = await submitLongRun(launcher, repository, 12);
  await waitMidStep(launcher, job.id);
  const killedAt = launcher.kill('worker-1');
  const exited = await launcher.waitForLine(/worker-1 exited unexpectedly/, killedAt, 30_000);
  const restarted = await launcher.waitForLine(/worker-1 restarted/, killedAt, 120_000);
  const done = await waitForEnd(launcher, job.id, 300_000);
  const events = await listEvents(launcher, job.id);
  const next = attemptStarted(events, 2);
  const finalPrepare = events.filter((e) => e.type === 'moonmind.task.prepare.started').at(-1);
  const delivery = checkDelivery(events);

  if (done.status !== 'succeeded') failures.push(`run ended ${done.status}: ${done.error ?? ''}`);
  if (!finalPrepare || Date.parse(finalPrepare.createdAt) < restarted.at - 1000)
    failures.push('the final attempt did not start after the worker restarted');
  const branches = (await remote.branches(repository)).filter((b) => b.startsWith('task/'));
  if (branches.length !== 1 || branches[0] !== done.branch)
    failures.push(`task branches on the remote: ${JSON.stringify(branches)} (job says ${done.branch})`);
  else if ((await remote.log(repository, branches[0])).length !== 2)
    failures.push(`branch ${branches[0]} does not hold exactly one commit over main`);
  failures.push(...delivery.idProblems);
  if (delivery.lost) failures.push(`${delivery.lost} fake-agent lines missing in the final attempt`);
  if (delivery.duplicates) failures.push(`${delivery.duplicates} repeated log events in the final attempt`);
  if (delivery.outOfOrder) failures.push(`${delivery.outOfOrder} fake-agent lines out of order`);
  return {
    toNextAttemptMs: next ? Date.parse(next.createdAt) - killedAt : Number.NaN,
    restartDelayS: restartDelay(exited.text),
    attemptFailed: events.find((e) => e.type === 'run.attempt.failed')?.message ?? '(none)',
    attempt: done.attempt,
    lost: delivery.lost,
    duplicates: delivery.duplicates,
    failures,
  };
}

export const workerKill: Scenario = {
  id: 'worker-kill',
  async run(ctx: ChaosContext) {
    const total = ctx.short ? 1 : 10;
    const repos = Array.from({ length: total }, (_, i) => `chaos/worker-kill-${i + 1}`);
    const remote = await ctx.remote(repos);
    const kills: Kill[] = [];
    for (let group = 0; group < total; group += KILLS_PER_LAUNCHER) {
      const launcher = await ctx.launch('worker-kill', remote);
      try {
        for (const repository of repos.slice(group, group + KILLS_PER_LAUNCHER)) {
          ctx.progress(`worker kill -9 ${kills.length + 1}/${total}`);
          const kill = await killOnce(launcher, repository, remote).catch(
            (err: Error): Kill => ({
              toNextAttemptMs: Number.NaN,
              restartDelayS: Number.NaN,
              attemptFailed: '(unknown)',
              attempt: 0,
              lost: 0,
              duplicates: 0,
              failures: [err.message.split('\n')[0]],
            }),
          );
          kills.push(kill);
          ctx.progress(
            `  → next attempt after ${seconds(kill.toNextAttemptMs)}, attempt ${kill.attempt}, ${kill.failures.length ? kill.failures.join('; ') : 'ok'}`,
          );
        }
      } finally {
        await launcher.stop();
      }
    }
    const gaps = kills.map((k) => k.toNextAttemptMs).filter(Number.isFinite);
    const messages = [...new Set(kills.map((k) => k.attemptFailed))];
    const delays = kills.map((k) => k.restartDelayS).filter(Number.isFinite);
    return {
      scenario: 'a. worker `kill -9` mid-step',
      runs: runsAndKills(total, total),
      passed: kills.every((k) => k.failures.length === 0),
      numbers: [
        `kill → attempt 2 started: p50 ${seconds(percentile(gaps, 50))}, max ${seconds(Math.max(...gaps))}${gaps.length < total ? ` (${total - gaps.length} never)` : ''}`,
        `launcher restart delay ${[...new Set(delays)].join(', ')} s`,
        `run.attempt.failed: ${messages.map((m) => `"${m}"`).join(', ')}`,
      ],
      lost: kills.reduce((n, k) => n + k.lost, 0),
      duplicates: kills.reduce((n, k) => n + k.duplicates, 0),
      attempts: attemptSummary(kills.map((k) => k.attempt)),
      failures: kills.flatMap((k, i) => k.failures.map((f) => `kill ${i + 1}: ${f}`)),
    };
  },
};
