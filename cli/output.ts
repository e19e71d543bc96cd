import type { JobEvent } from '../contracts/events.ts';
import { type JobView, statusDetailOf } from '../contracts/job.ts';
import { statusLabel } from '../contracts/status.ts';
import { lineText, outputLine } from '../web/src/lib/events.ts';

/** Human output by default, `--json` for scripts: one place that writes to stdout. */
export const print = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};
export const printJson = (value: unknown) => print(JSON.stringify(value, null, 2));
/** Progress and notes go to stderr, so stdout stays what a script reads (a job id, JSON). */
export const note = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

export const statusOf = (job: JobView) => statusLabel(job.status, statusDetailOf(job));

/** A log line as the run page shows it (the dashboard's own rendering), or the event as one JSON line. */
export const eventLine = (e: JobEvent, raw: boolean) => (raw ? JSON.stringify(e) : lineText(outputLine(e)));

/** Columns padded to their widest cell; the last one runs free. */
export function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i].length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}

export function jobRows(jobs: JobView[]): string[] {
  return table([
    ['ID', 'STATUS', 'CREATED', 'REPOSITORY', 'TITLE'],
    ...jobs.map((j) => [
      j.id,
      statusOf(j),
      j.createdAt.slice(0, 19).replace('T', ' '),
      j.repository,
      j.title,
    ]),
  ]);
}

/** A job as `show` tells it: what it is, where it stands, what it produced. */
export function jobDetail(j: JobView): string[] {
  const fields: [string, string | null | undefined][] = [
    ['id', j.id],
    ['title', j.title],
    ['status', statusOf(j)],
    ['stage', j.stage],
    ['step', j.step ? `${j.step.index + 1}/${j.step.count}${j.step.title ? ` ${j.step.title}` : ''}` : null],
    ['waiting', j.waitingReason],
    ['repository', j.repository],
    ['runtime', j.runtime],
    ['publish', j.publishMode],
    ['attempt', `${j.attempt}/${j.maxAttempts}`],
    ['worker', j.worker],
    ['created', j.createdAt],
    ['started', j.startedAt],
    ['finished', j.finishedAt],
    ['branch', j.branch],
    ['pull request', j.prUrl],
    ['error', j.error],
    ['submitted by', j.submittedBy.name],
    ['temporal', j.temporal.url],
  ];
  return table(fields.filter((f): f is [string, string] => Boolean(f[1])).map(([k, v]) => [`${k}:`, v]));
}
