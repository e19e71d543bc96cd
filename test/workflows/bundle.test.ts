import { builtinModules } from 'node:module';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { otelWorkflowInterceptors, workflowSinks } from '../../lib/temporal-tracing.ts';
import { buildWorkflowBundle } from '../../workers/control.ts';
import { quietTemporalLogs } from './harness.ts';
import { committedDir, readHistories } from './histories.ts';

/**
 * The workflow bundle stays deterministic-safe and compatible with recorded runs. The histories under
 * test/workflows/histories/ were recorded from real runs (task-run.test.ts); a change to `taskRun` that
 * would break runs in flight fails here. Re-record only for an intentional, versioned change.
 */
describe('workflow bundle', () => {
  it('builds without Node built-ins, and with zod/mini only (the signal schema), not classic zod', async () => {
    const { code } = await buildWorkflowBundle();
    // The SDK allows only these built-ins in workflows (it stubs them deterministically).
    const allowed = new Set(['assert', 'url', 'util']);
    const used = builtinModules
      .filter((m) => !allowed.has(m) && !m.startsWith('_'))
      .filter((m) => code.includes(`require("${m}")`) || code.includes(`require("node:${m}")`));
    expect(used).toEqual([]);
    expect(code).not.toMatch(/node_modules\/zod\/v4\/classic\//);
    expect(code).toMatch(/node_modules\/zod\/v4\/mini\//);
    expect(code).toMatch(/taskRun/);
    expect(code).toMatch(/orchestratorRun/);
    expect(code).toMatch(/manifestRun/);
  });

  it('replays the committed histories of earlier runs', async () => {
    quietTemporalLogs();
    const histories = await readHistories(committedDir);
    expect(histories.map((h) => h.workflowId)).toEqual([
      'cancel-running',
      'end-cancelled',
      'end-dead-letter',
      'end-failed',
      'handed-back',
      'host-lost',
      'list-memo-queued',
      'manifest-cancelled',
      'manifest-plan',
      'manifest-succeeded',
      'orchestrator-approval-timeout',
      'orchestrator-approved',
      'orchestrator-cancelled',
      'orchestrator-cli-start',
      'orchestrator-published-branch',
      'orchestrator-rolled-back',
      'orchestrator-succeeded',
      'orchestrator-temporal-cancel',
      'pause-now',
      'pause-resume',
      'pause-states',
      'publish-none-release-with-finish',
      'scheduled-fire',
      'start-patches',
      'steer-hard-pause',
      'steer-serial',
      'takeover-pausing',
      'takeover-verdicts',
    ]);
    const failures: string[] = [];
    for await (const r of Worker.runReplayHistories(
      { workflowBundle: await buildWorkflowBundle() },
      histories,
    )) {
      if (r.error) failures.push(`${r.workflowId}: ${r.error}`);
    }
    expect(failures).toEqual([]);
  });

  it('with the tracing interceptors (OTEL on), builds the same way and replays the same histories, exporting no span on replay', async () => {
    quietTemporalLogs();
    const { code } = await buildWorkflowBundle([otelWorkflowInterceptors]);
    expect(code).toMatch(/OpenTelemetryInboundInterceptor/);
    const used = builtinModules.filter(
      (m) =>
        !m.startsWith('_') && (code.includes(`require("${m}")`) || code.includes(`require("node:${m}")`)),
    );
    expect(used.filter((m) => !['assert', 'url', 'util'].includes(m))).toEqual([]);
    const exporter = new InMemorySpanExporter();
    const sinks = workflowSinks({ processor: new SimpleSpanProcessor(exporter), resource: Resource.empty() });
    const failures: string[] = [];
    for await (const r of Worker.runReplayHistories(
      { workflowBundle: { code }, sinks },
      await readHistories(committedDir),
    )) {
      if (r.error) failures.push(`${r.workflowId}: ${r.error}`);
    }
    expect(failures).toEqual([]);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
