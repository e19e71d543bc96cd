import type { ArtifactView } from '../../../contracts/artifacts.ts';
import type { EventSearchResult, JobEvent } from '../../../contracts/events.ts';
import type { Fleet } from '../../../contracts/fleet.ts';
import type { JobView } from '../../../contracts/job.ts';
import type { JobStatus } from '../../../contracts/status.ts';
import { query, request } from './client.ts';

/** Typed calls of the queue routes (docs/architecture.md, /api/openapi.json). */
export interface JobFilters {
  status?: string;
  runtime?: string;
  skill?: string;
  publishMode?: string;
  repository?: string;
  /** A part of the title or the repository. */
  q?: string;
  order?: 'newest' | 'active-first';
}
export interface JobPage {
  items: JobView[];
  nextCursor: string | null;
}
export type Artifact = ArtifactView;
export interface TaskDefaults {
  defaultRuntime: string;
  runtimes: Record<string, { model: string | null; effort: string | null }>;
  defaultRepository: string | null;
  publishModes: string[];
  defaultPublishMode: string;
  temporalUiUrl: string;
}
export interface Skill {
  id: string;
  title: string;
  description: string;
  requiredCapabilities: string[];
}

const job = (id: string) => `/api/queue/jobs/${encodeURIComponent(id)}`;

export const listJobs = (filters: JobFilters, cursor: string | null, limit = 25) =>
  request<JobPage>('GET', `/api/queue/jobs${query({ ...filters, cursor, limit })}`);
export const getJobCounts = (filters: Omit<JobFilters, 'status' | 'order'>) =>
  request<{ counts: Record<JobStatus, number> }>('GET', `/api/queue/counts${query({ ...filters })}`);
export const getJob = (id: string) => request<JobView>('GET', job(id));
export const submitJob = (body: unknown, idempotencyKey: string) =>
  request<JobView>('POST', '/api/queue/jobs', body, { 'Idempotency-Key': idempotencyKey });
export const cancelJob = (id: string, reason?: string) =>
  request<JobView>('POST', `${job(id)}/cancel`, reason ? { reason } : {});
export const controlJob = (id: string, action: 'pause' | 'resume', mode?: 'soft' | 'hard') =>
  request<JobView>('POST', `${job(id)}/control`, mode ? { action, mode } : { action });
export const sendOperatorMessage = (id: string, message: string) =>
  request<{ requestId: string }>('POST', `${job(id)}/operator-messages`, { message });

export interface EventQuery {
  after?: number;
  before?: number;
  sort?: 'asc' | 'desc';
  limit?: number;
  exclude?: 'log';
}
export const listEvents = (id: string, q: EventQuery) =>
  request<{ items: JobEvent[] }>(
    'GET',
    `${job(id)}/events${query({ afterEventId: q.after, beforeEventId: q.before, sort: q.sort, limit: q.limit, exclude: q.exclude })}`,
  );
export const searchEvents = (id: string, q: string, before?: number) =>
  request<EventSearchResult>('GET', `${job(id)}/events/search${query({ q, before })}`);
export const eventStreamUrl = (id: string) => `${job(id)}/events/stream`;
export const listArtifacts = (id: string) => request<{ items: Artifact[] }>('GET', `${job(id)}/artifacts`);

export const getDefaults = () => request<TaskDefaults>('GET', '/api/tasks/defaults');
export const getFleet = () => request<Fleet>('GET', '/api/tasks/fleet');
export const getSkills = () => request<{ items: Skill[] }>('GET', '/api/tasks/skills');
export const rerunJob = (id: string, idempotencyKey: string) =>
  request<JobView>('POST', `${job(id)}/rerun`, {}, { 'Idempotency-Key': idempotencyKey });
