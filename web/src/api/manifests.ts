import type { SearchHit } from '../../../activities/manifest/interfaces.ts';
import type { JobView } from '../../../contracts/job.ts';
import type { ManifestOptions, manifestActions } from '../../../contracts/manifest.ts';
import { request } from './client.ts';

/** The manifest registry routes (spec 07; api/routes/manifests.ts): records, content, runs, search. */

export interface ManifestLastRun {
  jobId: string;
  status: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}
export interface ManifestRecord {
  name: string;
  hash: string;
  version: string;
  revision: number;
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
  lastRun: ManifestLastRun | null;
}
/** Per data source: how far the last successful run got (the next run is incremental from here). */
export interface CheckpointState {
  dataSourceId: string;
  docCount: number;
  cursor: string | null;
  lastRunJobId: string | null;
  lastSuccessAt: string | null;
}
export interface ManifestDetail extends ManifestRecord {
  content: string;
  checkpoints: CheckpointState[];
}
export type { SearchHit };

const base = '/api/manifests';
const one = (name: string) => `${base}/${encodeURIComponent(name)}`;

export const listManifests = () => request<{ items: ManifestRecord[] }>('GET', base).then((r) => r.items);
export const getManifest = (name: string) => request<ManifestDetail>('GET', one(name));
/** Validates and stores; a 400 carries the issues with YAML paths (and lines). */
export const putManifest = (name: string, content: string) =>
  request<ManifestRecord>('PUT', one(name), { content });
export const startManifestRun = (
  name: string,
  action: (typeof manifestActions)[number],
  options: ManifestOptions = {},
) => request<JobView>('POST', `${one(name)}/runs`, { action, options });
export const searchManifest = (name: string, q: { query: string; topK: number }) =>
  request<{ items: SearchHit[] }>('POST', `${one(name)}/search`, q).then((r) => r.items);
