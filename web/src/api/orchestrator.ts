import type { ArtifactView } from '../../../contracts/artifacts.ts';
import type { JobEvent } from '../../../contracts/events.ts';
import type {
  OrchestratorListQuery,
  OrchestratorRunList,
  OrchestratorRunView,
  OrchestratorSubmit,
  ServiceSummary,
} from '../../../contracts/orchestrator.ts';
import { query, request } from './client.ts';
import type { EventQuery } from './jobs.ts';

/** The orchestrator routes (api/routes/orchestrator.ts, docs/orchestrator.md): service runs with an approval gate. */
export type OrchestratorRun = OrchestratorRunView;
export type { ServiceSummary };

const base = '/api/orchestrator';
const run = (id: string) => `${base}/runs/${encodeURIComponent(id)}`;

export const listServices = () =>
  request<{ items: ServiceSummary[] }>('GET', `${base}/services`).then((r) => r.items);
export const listRuns = (q: Partial<OrchestratorListQuery>) =>
  request<OrchestratorRunList>('GET', `${base}/runs${query({ ...q })}`);
export const getRun = (id: string) => request<OrchestratorRun>('GET', run(id));
export const submitRun = (body: OrchestratorSubmit) => request<OrchestratorRun>('POST', `${base}/runs`, body);
export const approveRun = (id: string, token?: string) =>
  request<OrchestratorRun>('POST', `${run(id)}/approvals`, token ? { token } : {});
export const cancelRun = (id: string) => request<OrchestratorRun>('POST', `${run(id)}/cancel`, {});
export const retryRun = (id: string) => request<OrchestratorRun>('POST', `${run(id)}/retry`, {});
export const listRunArtifacts = (id: string) =>
  request<{ items: ArtifactView[] }>('GET', `${run(id)}/artifacts`).then((r) => r.items);

/** A run's events: the same shape and paging as a job's (they share the events table, keyed by run id). */
export const runEvents = {
  list: (id: string, q: EventQuery) =>
    request<{ items: JobEvent[] }>(
      'GET',
      `${run(id)}/events${query({ afterEventId: q.after, beforeEventId: q.before, sort: q.sort, limit: q.limit, exclude: q.exclude })}`,
    ),
  streamUrl: (id: string) => `${run(id)}/events/stream`,
};

/** An artifact's text (a step's log, the diff): same-origin, with the session cookie. */
export async function artifactText(downloadUrl: string): Promise<string> {
  const res = await fetch(downloadUrl, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
  return res.text();
}
