import { createRequire } from 'node:module';
import type { ClientInterceptors } from '@temporalio/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  type OpenTelemetrySinks,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks, WorkerInterceptors } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import { tracingOn, tracingPipeline } from './tracing.ts';

/**
 * Temporal's OpenTelemetry interceptors, each present only while tracing is on (lib/tracing.ts): the
 * client's carries the caller's span into the workflow's headers, the workflow's (bundled into the
 * workflow code) span the run and each activity it schedules, the activity's continue that span on the
 * worker. Spans made inside the workflow sandbox leave it through the `exporter` sink (not called on replay).
 */
/** The SDK's workflow interceptors module, bundled into the workflow code when tracing is on. */
export const otelWorkflowInterceptors = createRequire(import.meta.url).resolve(
  '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors',
);

export const workflowInterceptorModules = (): string[] => (tracingOn() ? [otelWorkflowInterceptors] : []);

export const clientInterceptors = (): ClientInterceptors | undefined =>
  tracingOn() ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined;

export const activityInterceptors = (): Pick<WorkerInterceptors, 'activity'> | undefined =>
  tracingOn()
    ? {
        activity: [
          (ctx) => ({
            inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
            outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
          }),
        ],
      }
    : undefined;

/**
 * The sink that takes the workflow's spans out of the sandbox. The SDK's own copies the whole workflow info
 * onto every span, memo and search attributes included: the memo holds the task, whose instructions are
 * the agent's prompt. Only the run's identity goes on them here.
 */
export function workflowSinks(pipeline = tracingPipeline()): InjectedSinks<OpenTelemetrySinks> | undefined {
  if (!pipeline) return undefined;
  const sdk = makeWorkflowExporter(pipeline.processor, pipeline.resource);
  const identity = (info: WorkflowInfo) =>
    ({
      workflowId: info.workflowId,
      runId: info.runId,
      workflowType: info.workflowType,
      taskQueue: info.taskQueue,
      namespace: info.namespace,
      attempt: info.attempt,
    }) as WorkflowInfo;
  return {
    exporter: { export: { ...sdk.export, fn: (info, spans) => sdk.export.fn(identity(info), spans) } },
  };
}
