import { serviceEnv } from '../activities/orchestrator/service/command.ts';
import { processRunner } from '../activities/orchestrator/service/process-runner.ts';
import { verifyService } from '../activities/orchestrator/service/verify.ts';
import { createServiceFixture, runnerContext } from '../test/orchestrator/service-fixture.ts';
import { fmt, percentile } from './services.ts';

const RUNS = 20;

/**
 * Verify's health polling (issue 16: detect a healthy service within 200 ms of it coming up): the fixture
 * service starts after a delay that varies run to run (so the probes' phase varies), with the default
 * backoff; measured from the time the server logs it listens to verify passing.
 */
export async function benchOrchestratorHealth(): Promise<Record<string, string>> {
  const node = JSON.stringify(process.execPath);
  const fixture = await createServiceFixture(
    Array.from({ length: RUNS }, (_, i) => ({
      name: `svc${i}`,
      profile: {
        start: { command: `sleep ${(0.2 + ((i * 37) % 400) / 1000).toFixed(3)}; exec ${node} server.mjs` },
      },
    })),
  );
  const env = serviceEnv(process.env);
  const runner = processRunner(env);
  const latencies: number[] = [];
  const probes: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const ctx = runnerContext(fixture, `svc${i}`);
      await runner.restart(ctx);
      const outcome = await verifyService(runner, ctx, env);
      const passedAt = Date.now();
      if (!outcome.ok) throw new Error(`svc${i}: ${outcome.detail}`);
      const logs = (await runner.recentLogs(ctx, 20)).join('\n');
      const listening = Number(/listening on \d+ at (\d+)/.exec(logs)?.[1]);
      latencies.push(passedAt - listening);
      probes.push(outcome.probes);
      // One service at a time: stop this one before the next starts.
      process.kill(-(await fixture.services[`svc${i}`].pid())!, 'SIGTERM');
    }
  } finally {
    await fixture.close();
  }
  return {
    [`verify: listening → health passed, default backoff, ${RUNS} runs (p50 / p95 / max, target 200 ms)`]: `${fmt(percentile(latencies, 50))} / ${fmt(percentile(latencies, 95))} / ${fmt(Math.max(...latencies))}`,
    'probes per verify (p50)': String(percentile(probes, 50)),
  };
}
