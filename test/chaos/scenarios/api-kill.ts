import { listEvents } from '../../support/jobs.ts';
import { checkDelivery, compareStream, percentile, seconds } from '../checks.ts';
import type { Launcher } from '../launcher.ts';
import { apiAnswering, submitLongRun, waitForEnd, waitMidStep } from '../runs.ts';
import { attemptSummary, type ChaosContext, runsAndKills, type Scenario } from '../scenario.ts';
import { followStream } from '../sse-follower.ts';

interface Kill {
  downMs: number;
  reconnects: number;
  attempt: number;
  lost: number;
  duplicates: number;
  failures: string[];
}

/** kill -9 the API while a client follows the run's SSE stream; it reconnects with Last-Event-ID. */
async function killOnce(launcher: Launcher, repository: string): Promise<Kill> {
  const failures: string[] = [];
  const job = await submitLongRun(launcher, repository, 20);
  const following = followStream(launcher, job.id, { timeoutMs: 300_000 });
  await waitMidStep(launcher, job.id);
  const killedAt = launcher.kill('api');
  await launcher.waitForLine(/\bapi exited unexpectedly/, killedAt, 30_000);
  const back = await apiAnswering(launcher, 120_000);
  const followed = await following;
  const done = await waitForEnd(launcher, job.id, 120_000);
  const stored = await listEvents(launcher, job.id);
  const stream = compareStream(followed.events, stored);
  const delivery = checkDelivery(stored);

  if (done.status !== 'succeeded') failures.push(`run ended ${done.status}: ${done.error ?? ''}`);
  if (done.attempt !== 1) failures.push(`the API's crash cost an attempt (attempt ${done.attempt})`);
  if (followed.endStatus === null) failures.push('the SSE client never saw the end of the stream');
  if (followed.reconnects === 0) failures.push('the SSE connection survived the kill (nothing was tested)');
  if (stream.lost) failures.push(`${stream.lost} events the SSE client never saw (or saw differently)`);
  if (stream.duplicates) failures.push(`${stream.duplicates} events the SSE client saw twice`);
  failures.push(...delivery.idProblems);
  if (delivery.lost) failures.push(`${delivery.lost} fake-agent lines missing`);
  if (delivery.duplicates) failures.push(`${delivery.duplicates} repeated log events`);
  return {
    downMs: back - killedAt,
    reconnects: followed.reconnects,
    attempt: done.attempt,
    lost: stream.lost + delivery.lost,
    duplicates: stream.duplicates + delivery.duplicates,
    failures,
  };
}

export const apiKill: Scenario = {
  id: 'api-kill',
  async run(ctx: ChaosContext) {
    const total = ctx.short ? 1 : 5;
    const repos = Array.from({ length: total }, (_, i) => `chaos/api-kill-${i + 1}`);
    const remote = await ctx.remote(repos);
    const kills: Kill[] = [];
    // Five crashes are within the launcher's budget (it gives up on the sixth in 10 minutes).
    const launcher = await ctx.launch('api-kill', remote);
    try {
      for (const repository of repos) {
        ctx.progress(`API kill -9 ${kills.length + 1}/${total}`);
        const kill = await killOnce(launcher, repository).catch(
          (err: Error): Kill => ({
            downMs: Number.NaN,
            reconnects: 0,
            attempt: 0,
            lost: 0,
            duplicates: 0,
            failures: [err.message.split('\n')[0]],
          }),
        );
        kills.push(kill);
        ctx.progress(
          `  → ${kill.reconnects} reconnects, ${kill.failures.length ? kill.failures.join('; ') : 'ok'}`,
        );
      }
    } finally {
      await launcher.stop();
    }
    const down = kills.map((k) => k.downMs).filter(Number.isFinite);
    return {
      scenario: 'b. API `kill -9` under an SSE client',
      runs: runsAndKills(total, total),
      passed: kills.every((k) => k.failures.length === 0),
      numbers: [
        `kill → API answering again: p50 ${seconds(percentile(down, 50))}, max ${seconds(Math.max(...down))}`,
        `SSE reconnects per kill: ${kills.map((k) => k.reconnects).join(', ')}`,
      ],
      lost: kills.reduce((n, k) => n + k.lost, 0),
      duplicates: kills.reduce((n, k) => n + k.duplicates, 0),
      attempts: attemptSummary(kills.map((k) => k.attempt)),
      failures: kills.flatMap((k, i) => k.failures.map((f) => `kill ${i + 1}: ${f}`)),
    };
  },
};
