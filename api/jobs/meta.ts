import type { Client } from '@temporalio/client';
import { describeJob } from './temporal.ts';

/** What worker-route scope checks need about a job; fixed at submission, so cached for the process. */
export interface JobMeta {
  type: string;
  repository: string;
  requiredCapabilities: string[];
}

export interface JobMetaCache {
  get(jobId: string): Promise<JobMeta | null>;
}

export function jobMetaCache(client: Client, max = 10_000): JobMetaCache {
  const cache = new Map<string, JobMeta>();
  return {
    async get(jobId) {
      const hit = cache.get(jobId);
      if (hit) return hit;
      const summary = await describeJob(client, jobId);
      if (!summary) return null;
      const { job } = summary.memo;
      const meta = {
        type: job.type,
        repository: job.payload.repository,
        requiredCapabilities:
          job.type === 'manifest'
            ? job.payload.manifest.requiredCapabilities
            : job.payload.requiredCapabilities,
      };
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(jobId, meta);
      return meta;
    },
  };
}
