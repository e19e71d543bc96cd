import { listEvents } from '../../support/jobs.ts';
import { checkDelivery, seconds } from '../checks.ts';
import { crashesSince, submitLongRun, waitForEnd, waitMidStep } from '../runs.ts';
import { attemptSummary, type ChaosContext, type Scenario } from '../scenario.ts';

const DOWN_MS = 45_000;

/**
 * kill -9 the Temporal dev server while two runs are mid-step and keep it down 45 s: the launcher is told
 * not to restart it until then (MOONMIND_RESTART_HOLD_DIR), after which it restarts it on the same
 * database file. Both runs should carry on in their first attempt and succeed.
 */
export const temporalOutage: Scenario = {
  id: 'temporal-outage',
  async run(ctx: ChaosContext) {
    const repos = ['chaos/temporal-1', 'chaos/temporal-2'];
    const remote = await ctx.remote(repos);
    const launcher = await ctx.launch('temporal-outage', remote);
    const failures: string[] = [];
    const numbers: string[] = [];
    const attempts: number[] = [];
    let lost = 0;
    let duplicates = 0;
    try {
      // Long enough to span the outage, so the step reports its end to the restarted server.
      const jobs = [];
      for (const repository of repos) jobs.push(await submitLongRun(launcher, repository, 75));
      for (const job of jobs) await waitMidStep(launcher, job.id);
      ctx.progress('Temporal kill -9, held down 45 s');
      await launcher.hold('temporal');
      const killedAt = launcher.kill('temporal');
      await new Promise((r) => setTimeout(r, DOWN_MS));
      await launcher.release('temporal');
      const restarted = await launcher.waitForLine(/temporal restarted/, killedAt, 120_000);
      numbers.push(`Temporal down ${seconds(restarted.at - killedAt)} (held 45 s, then restarted and ready)`);
      for (const job of jobs) {
        const done = await waitForEnd(launcher, job.id, 300_000).catch((err: Error) => {
          failures.push(`${job.id}: ${err.message.split('\n')[0]}`);
          return null;
        });
        if (!done) continue;
        attempts.push(done.attempt);
        const events = await listEvents(launcher, job.id);
        const delivery = checkDelivery(events);
        lost += delivery.lost;
        duplicates += delivery.duplicates;
        if (done.status !== 'succeeded') failures.push(`run ended ${done.status}: ${done.error ?? ''}`);
        if (done.attempt !== 1) {
          const failed = events.find((e) => e.type === 'run.attempt.failed')?.message;
          failures.push(`run needed attempt ${done.attempt} (run.attempt.failed: "${failed}")`);
        }
        failures.push(...delivery.idProblems);
        if (delivery.lost) failures.push(`${delivery.lost} fake-agent lines missing`);
        if (delivery.duplicates) failures.push(`${delivery.duplicates} repeated log events`);
      }
      const others = crashesSince(launcher, killedAt).filter((s) => s !== 'temporal');
      numbers.push(`other services that exited meanwhile: ${others.length ? others.join(', ') : 'none'}`);
    } catch (err) {
      failures.push((err as Error).message.split('\n')[0]);
    } finally {
      await launcher.stop();
    }
    return {
      scenario: 'c. Temporal dev server `kill -9` mid-step, down 45 s',
      runs: '2 runs, 1 kill',
      passed: failures.length === 0,
      numbers,
      lost,
      duplicates,
      attempts: attemptSummary(attempts),
      failures,
    };
  },
};
