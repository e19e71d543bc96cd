import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { WorkflowFailedError } from '@temporalio/client';
import { parse, stringify } from 'yaml';
import { orchestratorStartOptions } from '../api/orchestrator/start.ts';
import type { OrchestratorRunInput } from '../contracts/orchestrator.ts';
import { insertRun } from '../db/orchestrator-runs.ts';
import { createServiceFixture } from '../test/orchestrator/service-fixture.ts';
import { startStack } from '../test/support/stack.ts';
import { fmt, percentile, type startBenchServices } from './services.ts';

type Services = Awaited<ReturnType<typeof startBenchServices>>;
const RUNS = 15;

interface HistoryEvent {
  eventTime?: { seconds?: unknown; nanos?: number | null } | null;
  eventId?: unknown;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
  activityTaskStartedEventAttributes?: { scheduledEventId?: unknown } | null;
  activityTaskCompletedEventAttributes?: { scheduledEventId?: unknown } | null;
}
const at = (e: HistoryEvent) => Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
const stepActivities = new Set([
  'analyzeService',
  'patchService',
  'buildService',
  'restartService',
  'verifyService',
]);

/**
 * From a closed run's history: its whole time (start to close) and its steps' own time (each step activity
 * from the worker starting it to its completion). The difference is what the orchestrator adds around the
 * steps: routing, claiming the host, state reports, events, workflow tasks, the workspace's cleanup.
 */
async function split(handle: { fetchHistory(): Promise<{ events?: unknown[] | null }> }) {
  const events = ((await handle.fetchHistory()).events ?? []) as HistoryEvent[];
  const names = new Map<string, string>();
  const started = new Map<string, number>();
  let stepMs = 0;
  for (const e of events) {
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled) names.set(String(e.eventId), scheduled.activityType?.name ?? '?');
    const s = e.activityTaskStartedEventAttributes;
    if (s) started.set(String(s.scheduledEventId), at(e));
    const done = e.activityTaskCompletedEventAttributes;
    if (done && stepActivities.has(names.get(String(done.scheduledEventId)) ?? ''))
      stepMs += at(e) - (started.get(String(done.scheduledEventId)) ?? at(e));
  }
  const runMs = at(events[events.length - 1]) - at(events[0]);
  return { runMs, stepMs };
}

/**
 * `orchestrator-overhead` (issue 16): an orchestrator run of a real local service with the fake agent (a plan
 * at once, no edit) and an instant build (`true`); run time minus its steps' time, p50 over RUNS runs
 * (target ≤ 1 s).
 */
export async function benchOrchestratorOverhead(services: Services): Promise<Record<string, string>> {
  const fixture = await createServiceFixture([{ name: 'bench' }]);
  const doc = parse(await readFile(fixture.profilesFile, 'utf8'));
  doc.services.bench.build = { command: 'true' };
  await writeFile(fixture.profilesFile, stringify(doc));
  const profiles = { MOONMIND_SERVICE_PROFILES: fixture.profilesFile };
  const stack = await startStack({
    services: services.servicesFor('bench'),
    apiEnv: profiles,
    workers: [
      { pool: 'ops', jobTypes: ['orchestrator'], capabilities: ['orchestrator', 'codex'], env: profiles },
    ],
  });
  const run = async () => {
    const input: OrchestratorRunInput = {
      runId: randomUUID(),
      instruction: 'Restart the service as it is.',
      targetService: 'bench',
      priority: 'normal',
      submittedBy: { id: 'bench', name: 'bench' },
      submittedAt: new Date().toISOString(),
      approval: null,
      retry: null,
      approvalTimeoutSeconds: 60,
      runner: 'process',
    };
    await insertRun(stack.db.sql, input);
    const handle = await stack.client.workflow.start('orchestratorRun', orchestratorStartOptions(input));
    await handle.result().catch((err) => {
      throw err instanceof WorkflowFailedError ? new Error(`run failed: ${err.cause?.message}`) : err;
    });
    return split(handle);
  };
  try {
    await run(); // warm: bundles, connections, the worker's first poll
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await run());
    const overhead = runs.map((r) => r.runMs - r.stepMs);
    return {
      [`run time (p50 of ${RUNS})`]: fmt(
        percentile(
          runs.map((r) => r.runMs),
          50,
        ),
      ),
      'step time (p50)': fmt(
        percentile(
          runs.map((r) => r.stepMs),
          50,
        ),
      ),
      'overhead: run time − step time (p50 / p95)': `${fmt(percentile(overhead, 50))} / ${fmt(percentile(overhead, 95))}`,
    };
  } finally {
    await stack.stop();
    await fixture.close();
  }
}
