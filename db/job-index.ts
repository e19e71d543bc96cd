import type { Sql } from './client.ts';

/** A job's row in `job_index` (migration 007): what list order and search need. */
export interface IndexedJob {
  jobId: string;
  title: string;
  repository: string;
  createdAt: string;
}

/** Add jobs to the index; a job already there is left as it is (its title and repository never change). */
export async function indexJobs(sql: Sql, jobs: IndexedJob[]): Promise<void> {
  if (jobs.length === 0) return;
  const rows = jobs.map((j) => ({
    job_id: j.jobId,
    title: j.title,
    repository: j.repository,
    created_at: j.createdAt,
  }));
  await sql`INSERT INTO job_index ${sql(rows)} ON CONFLICT (job_id) DO NOTHING`;
}

/** Which of these jobs are in the index (their runs started). */
export async function indexedAmong(sql: Sql, jobIds: string[]): Promise<Set<string>> {
  if (jobIds.length === 0) return new Set();
  const rows = await sql<{ job_id: string }[]>`
    SELECT job_id::text FROM job_index WHERE job_id = ANY(${sql.array(jobIds)}::uuid[])`;
  return new Set(rows.map((r) => r.job_id));
}

export async function newestIndexed(sql: Sql): Promise<Date | null> {
  const [row] = await sql<{ newest: Date | null }[]>`SELECT max(created_at) AS newest FROM job_index`;
  return row?.newest ?? null;
}

/** Where a scan stopped: the last row it handed out (rows come newest first). */
export interface ScanPosition {
  createdAt: string;
  jobId: string;
}

const like = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Jobs newest first after `after`, whose title or repository contains `text` and whose repository
 * contains `repository` (both case-insensitive).
 */
export async function scanJobs(
  sql: Sql,
  opts: { text?: string; repository?: string; after: ScanPosition | null; limit: number },
): Promise<ScanPosition[]> {
  const rows = await sql<{ jobId: string; createdAt: Date }[]>`
    SELECT job_id AS "jobId", created_at AS "createdAt" FROM job_index
    WHERE true
      ${opts.text ? sql`AND (title ILIKE ${like(opts.text)} OR repository ILIKE ${like(opts.text)})` : sql``}
      ${opts.repository ? sql`AND repository ILIKE ${like(opts.repository)}` : sql``}
      ${opts.after ? sql`AND (created_at, job_id) < (${opts.after.createdAt}::timestamptz, ${opts.after.jobId}::uuid)` : sql``}
    ORDER BY created_at DESC, job_id DESC
    LIMIT ${opts.limit}`;
  return rows.map((r) => ({ jobId: r.jobId, createdAt: new Date(r.createdAt).toISOString() }));
}
