import { formatDuration, runShell } from './command.ts';
import type { RunnerContext, ServiceRunner } from './runner.ts';

export interface VerifyOutcome {
  ok: boolean;
  /** Where it stopped: the runner's state, the health probes, or an application check. */
  stage: 'state' | 'health' | 'checks';
  /** One line: "health 200 after 4 probes in 310 ms", "check smoke: exit 1 in 20 ms". */
  detail: string;
  probes: number;
  durationMs: number;
}

/**
 * One probe waits at most this long for an answer (a hung service must not eat the whole timeout), and at
 * least the floor even near the deadline, so the last probe is a real one.
 */
const probeTimeoutMs = 5_000;
const probeFloorMs = 1_000;

/**
 * Verify a restarted service (spec 08): its runner says it is running, then its health URL answers the
 * expected status (probes with exponential backoff, initialBackoffMs doubling up to maxBackoffMs, until
 * the health timeout), then each application check exits 0. Every probe and check goes to ctx.log.
 */
export async function verifyService(
  runner: ServiceRunner,
  ctx: RunnerContext,
  env: Record<string, string>,
): Promise<VerifyOutcome> {
  const started = Date.now();
  const end = (ok: boolean, stage: VerifyOutcome['stage'], detail: string, probes = 0): VerifyOutcome => {
    ctx.log(`verify ${ok ? 'passed' : 'failed'}: ${detail}`);
    return { ok, stage, detail, probes, durationMs: Date.now() - started };
  };

  const state = await runner.state(ctx);
  ctx.log(`state: ${state.detail}`);
  if (!state.running) return end(false, 'state', `not running: ${state.detail}`);

  const health = await probeHealth(ctx);
  if (!health.ok) return end(false, 'health', health.detail, health.probes);

  for (const check of ctx.profile.checks) {
    const outcome = await runShell(ctx, check, env, (line) => ctx.log(`check ${check.name}: ${line}`));
    ctx.log(`check ${check.name}: ${outcome.detail}`);
    if (!outcome.ok) return end(false, 'checks', `check ${check.name}: ${outcome.detail}`, health.probes);
  }
  const checks = ctx.profile.checks.length;
  const suffix = checks ? `; ${checks} check${checks === 1 ? '' : 's'} passed` : '';
  return end(true, 'checks', `${health.detail}${suffix}`, health.probes);
}

/** Probe the health URL until it answers the expected status or the timeout passes. */
export async function probeHealth(
  ctx: RunnerContext,
): Promise<{ ok: boolean; detail: string; probes: number }> {
  const { url, expectStatus, timeoutSeconds, initialBackoffMs, maxBackoffMs } = ctx.profile.health;
  const started = Date.now();
  const deadline = started + timeoutSeconds * 1000;
  let backoff = initialBackoffMs;
  let last = 'no answer';
  for (let probes = 1; ; probes++) {
    const probeStart = Date.now();
    const timeoutMs = Math.min(probeTimeoutMs, Math.max(probeFloorMs, deadline - probeStart));
    const answer = await probe(url, timeoutMs, ctx.signal);
    const elapsed = Date.now() - started;
    if (ctx.signal.aborted) return { ok: false, detail: 'cancelled', probes };
    ctx.log(`probe ${probes}: ${answer} (${Date.now() - probeStart} ms, at ${elapsed} ms)`);
    const plural = probes === 1 ? 'probe' : 'probes';
    if (answer === String(expectStatus))
      return {
        ok: true,
        detail: `health ${answer} after ${probes} ${plural} in ${formatDuration(elapsed)}`,
        probes,
      };
    last = answer;
    const wait = Math.min(backoff, deadline - Date.now());
    if (wait <= 0)
      return {
        ok: false,
        detail: `health timed out after ${formatDuration(elapsed)} and ${probes} ${plural} (last: ${last}, want ${expectStatus})`,
        probes,
      };
    await sleep(wait, ctx.signal);
    backoff = Math.min(backoff * 2, maxBackoffMs);
  }
}

/** The status as text, or why there is none ("connection refused", "no answer in 5000 ms"). */
async function probe(url: string, timeoutMs: number, signal: AbortSignal): Promise<string> {
  try {
    const res = await fetch(url, {
      redirect: 'manual',
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
    await res.body?.cancel();
    return String(res.status);
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    if (cause?.code === 'ECONNREFUSED') return 'connection refused';
    if ((err as Error).name === 'TimeoutError') return `no answer in ${timeoutMs} ms`;
    return cause?.code ?? (err as Error).message;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
