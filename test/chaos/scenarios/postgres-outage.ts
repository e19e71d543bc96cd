import { listEvents } from '../../support/jobs.ts';
import { checkDelivery, seconds } from '../checks.ts';
import type { Launcher } from '../launcher.ts';
import { crashesSince, submitLongRun, waitForEnd, waitMidStep } from '../runs.ts';
import { attemptSummary, type ChaosContext, type Scenario } from '../scenario.ts';

const DOWN_MS = 30_000;
/** The API's deadlines are 3 s per dependency call (docs/architecture.md); a 503 slower than this is not prompt. */
const PROMPT_MS = 5_000;

interface Probe {
  at: number;
  tookMs: number;
  status: number | string;
  retryAfter: string | null;
}

/** One authenticated read of the job, as a client would make it; a hang past 10 s counts as one. */
async function probe(launcher: Launcher, jobId: string): Promise<Probe> {
  const at = Date.now();
  try {
    const res = await launcher.api(`/api/queue/jobs/${jobId}`, { signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    return { at, tookMs: Date.now() - at, status: res.status, retryAfter: res.headers.get('retry-after') };
  } catch (err) {
    return { at, tookMs: Date.now() - at, status: (err as Error).name, retryAfter: null };
  }
}

/**
 * kill -9 the embedded PostgreSQL mid-step and keep it down 30 s (MOONMIND_RESTART_HOLD_DIR): the API
 * should answer 503 with Retry-After meanwhile and recover after, and the worker's events (buffered while
 * the API cannot store them) should arrive once each, in order.
 */
export const postgresOutage: Scenario = {
  id: 'postgres-outage',
  async run(ctx: ChaosContext) {
    const remote = await ctx.remote(['chaos/postgres-1']);
    const launcher = await ctx.launch('postgres-outage', remote);
    const failures: string[] = [];
    const numbers: string[] = [];
    const attempts: number[] = [];
    let lost: number | null = null;
    let duplicates: number | null = null;
    try {
      const job = await submitLongRun(launcher, 'chaos/postgres-1', 45);
      await waitMidStep(launcher, job.id);
      ctx.progress('PostgreSQL kill -9, held down 30 s');
      await launcher.hold('postgres');
      const killedAt = launcher.kill('postgres');
      await launcher.waitForLine(/postgres exited unexpectedly/, killedAt, 10_000);
      const probes: Probe[] = [];
      while (Date.now() - killedAt < DOWN_MS) {
        probes.push(await probe(launcher, job.id));
        await new Promise((r) => setTimeout(r, 1000));
      }
      await launcher.release('postgres');
      let recovered: Probe | undefined;
      while (!recovered && Date.now() - killedAt < DOWN_MS + 120_000) {
        const p = await probe(launcher, job.id);
        if (p.status === 200) recovered = p;
        else await new Promise((r) => setTimeout(r, 500));
      }
      const prompt = (p: Probe) => p.status === 503 && p.retryAfter && p.tookMs <= PROMPT_MS;
      numbers.push(
        `${probes.filter(prompt).length}/${probes.length} reads during the outage answered 503 with Retry-After within ${seconds(PROMPT_MS)} (slowest ${seconds(Math.max(...probes.map((p) => p.tookMs)))})`,
      );
      const other = probes.filter((p) => !prompt(p));
      if (other.length)
        failures.push(
          `during the outage: ${other.map((p) => `${p.status}${p.retryAfter ? '' : ' without Retry-After'} in ${seconds(p.tookMs)} at +${seconds(p.at - killedAt)}`).join(', ')}`,
        );
      if (recovered) numbers.push(`API answering again ${seconds(recovered.at - killedAt)} after the kill`);
      else failures.push('the API did not answer 200 within 2 minutes of PostgreSQL coming back');

      const done = await waitForEnd(launcher, job.id, 300_000);
      attempts.push(done.attempt);
      const events = await listEvents(launcher, job.id);
      const delivery = checkDelivery(events);
      lost = delivery.lost;
      duplicates = delivery.duplicates;
      numbers.push(`${delivery.workingLines} fake-agent lines stored`);
      if (done.status !== 'succeeded') failures.push(`run ended ${done.status}: ${done.error ?? ''}`);
      if (done.attempt !== 1) failures.push(`the outage cost an attempt (attempt ${done.attempt})`);
      failures.push(...delivery.idProblems);
      if (delivery.lost) failures.push(`${delivery.lost} fake-agent lines missing`);
      if (delivery.duplicates) failures.push(`${delivery.duplicates} repeated log events`);
      if (delivery.outOfOrder) failures.push(`${delivery.outOfOrder} fake-agent lines out of order`);
      const others = crashesSince(launcher, killedAt).filter((s) => s !== 'postgres');
      numbers.push(`other services that exited meanwhile: ${others.length ? others.join(', ') : 'none'}`);
    } catch (err) {
      failures.push((err as Error).message.split('\n')[0]);
    } finally {
      await launcher.stop();
    }
    return {
      scenario: 'd. PostgreSQL `kill -9` mid-step, down 30 s',
      runs: '1 run, 1 kill',
      passed: failures.length === 0,
      numbers,
      lost,
      duplicates,
      attempts: attemptSummary(attempts),
      failures,
    };
  },
};
