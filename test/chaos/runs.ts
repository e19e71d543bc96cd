import type { JobEvent } from '../../contracts/events.ts';
import type { JobView } from '../../contracts/job.ts';
import { waitFor } from '../../scripts/ports.ts';
import { listEvents, submitJob, waitForStatus } from '../support/jobs.ts';
import type { Launcher } from './launcher.ts';

export const TERMINAL = ['succeeded', 'failed', 'dead_letter', 'cancelled'];

/** A run whose one step makes the fake agent print `working N` every 0.5 s for `seconds`. */
export const submitLongRun = (launcher: Launcher, repository: string, seconds: number) =>
  submitJob(launcher, {
    repository,
    task: {
      instructions: 'Chaos run',
      publish: { mode: 'branch' },
      steps: [{ id: 'long', title: 'Long step', instructions: `FAKE_SLEEP=${seconds}` }],
    },
  });

/** Until the agent has printed `working 2`: the step is running, its output flowing. */
export async function waitMidStep(launcher: Launcher, jobId: string, timeoutMs = 120_000): Promise<void> {
  await waitFor(
    `run ${jobId} mid-step`,
    async () => (await listEvents(launcher, jobId)).some((e) => /\bworking 2\b/.test(e.message)),
    timeoutMs,
    200,
  );
}

export const waitForEnd = (launcher: Launcher, jobId: string, timeoutMs: number): Promise<JobView> =>
  waitForStatus(launcher, jobId, TERMINAL, timeoutMs);

export const attemptStarted = (events: JobEvent[], attempt: number) =>
  events.find((e) => e.type === 'run.attempt.started' && e.payload.attempt === attempt);

/** The supervisor's restart delay from its "restarting in 2 s" line. */
export const restartDelay = (line: string) =>
  Number(/restarting in ([\d.]+) s/.exec(line)?.[1] ?? Number.NaN);

/** Lines of the launcher saying a service exited, since `since` (services that crashed besides the victim). */
export const crashesSince = (launcher: Launcher, since: number) =>
  launcher.lines
    .filter((l) => l.at >= since && /^\[start\] (\S+) exited unexpectedly/.test(l.text))
    .map((l) => /^\[start\] (\S+)/.exec(l.text)![1]);

/** When the API answers /healthz again (polled every 100 ms). */
export async function apiAnswering(launcher: Launcher, timeoutMs: number): Promise<number> {
  await waitFor(
    'the API to answer',
    async () => (await fetch(`${launcher.apiUrl}/healthz`, { signal: AbortSignal.timeout(2000) })).ok,
    timeoutMs,
    100,
  );
  return Date.now();
}
