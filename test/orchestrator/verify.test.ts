import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceEnv } from '../../activities/orchestrator/service/command.ts';
import { processRunner } from '../../activities/orchestrator/service/process-runner.ts';
import { verifyService } from '../../activities/orchestrator/service/verify.ts';
import { createServiceFixture, runnerContext, type ServiceFixture } from './service-fixture.ts';

const env = serviceEnv(process.env);
const runner = processRunner(env);
let fixture: ServiceFixture;

beforeAll(async () => {
  fixture = await createServiceFixture([
    { name: 'app', profile: { checks: [{ name: 'greeting', command: 'grep -q hello src/greeting.txt' }] } },
    {
      name: 'sick',
      broken: 'unhealthy',
      profile: { checks: [] },
    },
    { name: 'failing', profile: { checks: [{ name: 'smoke', command: 'echo smoke broke; exit 3' }] } },
    // Comes up 700 ms after its start: verify must see it within 200 ms of listening.
    { name: 'slow', profile: { start: { command: `sleep 0.7; exec "${process.execPath}" server.mjs` } } },
    { name: 'never', profile: { health: { url: 'http://127.0.0.1:1/health', timeoutSeconds: 30 } } },
  ]);
  // A 503 service probed for 1.2 s with 20 ms doubling to 160 ms: the backoff is measurable.
  const sick = fixture.profiles.get('sick')!;
  sick.health = { ...sick.health, timeoutSeconds: 1.2, initialBackoffMs: 20, maxBackoffMs: 160 };
});
afterAll(() => fixture?.close());

/** The probes' times since the first one, from verify's log ("probe 3: 503 (1 ms, at 64 ms)"). */
const probeTimes = (lines: string[]) =>
  lines.flatMap((l) => {
    const m = /^probe \d+: .* at (\d+) ms\)$/.exec(l);
    return m ? [Number(m[1])] : [];
  });

describe('verify', () => {
  it('passes a running, healthy service whose checks pass, in one line', async () => {
    await runner.restart(runnerContext(fixture, 'app'));
    const ctx = runnerContext(fixture, 'app');
    const outcome = await verifyService(runner, ctx, env);
    expect(outcome.ok).toBe(true);
    expect(outcome.detail).toMatch(/^health 200 after \d+ probes? in \d+ ms; 1 check passed$/);
    expect(ctx.lines[0]).toMatch(/^state: pid \d+ running$/);
    expect(ctx.lines.filter((l) => /^check greeting: exit 0 in \d+ ms$/.test(l))).toHaveLength(1);
    expect(ctx.lines.at(-1)).toBe(`verify passed: ${outcome.detail}`);
    expect(ctx.lines.filter((l) => l.startsWith('probe '))).toHaveLength(outcome.probes);
  });

  it('fails a service that is not running, before any probe', async () => {
    const ctx = runnerContext(fixture, 'never');
    const outcome = await verifyService(runner, ctx, env);
    expect(outcome).toMatchObject({
      ok: false,
      stage: 'state',
      probes: 0,
      detail: 'not running: not started (no pid file)',
    });
  });

  it('probes an unhealthy service with doubling waits up to the cap, then times out', async () => {
    const ctx = runnerContext(fixture, 'sick');
    await runner.restart(ctx);
    const outcome = await verifyService(runner, ctx, env);
    expect(outcome.ok).toBe(false);
    expect(outcome.stage).toBe('health');
    expect(outcome.detail).toMatch(
      /^health timed out after 1\.\d s and \d+ probes \(last: (503|connection refused), want 200\)$/,
    );
    expect(outcome.durationMs).toBeGreaterThanOrEqual(1_200);
    expect(outcome.durationMs).toBeLessThan(2_500);
    const times = probeTimes(ctx.lines);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    // 20, 40, 80, 160, 160, …: each wait at least its backoff, and none far past the cap.
    for (const [i, want] of [20, 40, 80, 160].entries()) expect(gaps[i]).toBeGreaterThanOrEqual(want);
    expect(Math.max(...gaps.slice(0, -1))).toBeLessThan(160 + 100);
    expect(times.length).toBeGreaterThanOrEqual(7);
    expect(times.length).toBeLessThanOrEqual(12);
    expect(outcome.probes).toBe(times.length);
  });

  it('fails on an application check, naming it', async () => {
    const ctx = runnerContext(fixture, 'failing');
    await runner.restart(ctx);
    const outcome = await verifyService(runner, ctx, env);
    expect(outcome).toMatchObject({ ok: false, stage: 'checks' });
    expect(outcome.detail).toMatch(/^check smoke: exit 3 in \d+ ms$/);
    expect(ctx.lines).toContain('check smoke: smoke broke');
  });

  it('sees a service come up within 200 ms of it listening (default backoff)', async () => {
    const ctx = runnerContext(fixture, 'slow');
    await runner.restart(ctx);
    const outcome = await verifyService(runner, ctx, env);
    const passedAt = Date.now();
    expect(outcome.ok).toBe(true);
    const logs = await runner.recentLogs(ctx, 20);
    const listening = Number(/listening on \d+ at (\d+)/.exec(logs.join('\n'))?.[1]);
    expect(passedAt - listening).toBeGreaterThanOrEqual(0);
    // The benchmark (orchestrator-health) holds the 200 ms at p95; a loaded test machine gets some slack.
    expect(passedAt - listening).toBeLessThan(300);
    expect(outcome.probes).toBeGreaterThan(1);
  });

  it('stops probing when cancelled', async () => {
    const abort = new AbortController();
    const ctx = runnerContext(fixture, 'sick', abort.signal);
    const verifying = verifyService(runner, ctx, env);
    setTimeout(() => abort.abort(), 150);
    const outcome = await verifying;
    expect(outcome).toMatchObject({ ok: false, stage: 'health', detail: 'cancelled' });
    expect(outcome.durationMs).toBeLessThan(600);
  });
});
