import type { Client } from '@temporalio/client';
import type { Config } from '../../contracts/config.ts';
import type { JobView } from '../../contracts/job.ts';
import { notFound } from '../errors.ts';
import { completedResult, describeJob, queryState } from './temporal.ts';
import { type ExecutionSummary, jobView } from './views.ts';

export const uiBaseOf = (config: Config) =>
  config.TEMPORAL_UI_URL ?? `http://localhost:${config.MOONMIND_TEMPORAL_UI_PORT}`;

/** Where people reach the dashboard: `MOONMIND_PUBLIC_URL`, else the API's own listen address. */
export function dashboardUrlOf(config: Config): string {
  if (config.MOONMIND_PUBLIC_URL) return config.MOONMIND_PUBLIC_URL.replace(/\/+$/, '');
  const host = ['0.0.0.0', '::'].includes(config.MOONMIND_HOST) ? 'localhost' : config.MOONMIND_HOST;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.PORT}`;
}

/**
 * A job's view with its live state (running) or its result (completed); 404 when there is no such job.
 * `jobId` is a UUID (routes validate it).
 */
export async function loadJob(
  deps: { client: Client; config: Config },
  jobId: string,
): Promise<{ view: JobView; summary: ExecutionSummary }> {
  const summary = await describeJob(deps.client, jobId);
  if (!summary) throw notFound('job');
  const live =
    summary.executionStatus === 'RUNNING' ? await queryState(deps.client, summary.workflowId) : null;
  const result =
    summary.executionStatus === 'COMPLETED' ? await completedResult(deps.client, summary.workflowId) : null;
  const view = jobView(summary, {
    uiBase: uiBaseOf(deps.config),
    namespace: deps.client.options.namespace,
    jobId,
    live,
    result,
  });
  return { view, summary };
}
