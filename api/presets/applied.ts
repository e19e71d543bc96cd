import type { EventBatch } from '../../contracts/events.ts';
import { templateStepId } from '../../contracts/presets.ts';
import type { FieldIssue, NormalizedJob } from '../../contracts/task.ts';
import type { Sql } from '../../db/client.ts';
import { findVersion, type Viewer } from './store.ts';

/**
 * The submission's check of `task.appliedStepTemplates`: each recorded template exists at its version for
 * the submitter, and the job's steps whose ids start with `tpl:<slug>:<version>:` are exactly the recorded
 * step ids, each a position the template has. Returns each template's declared capabilities (the server's,
 * replacing whatever the record says) or the issues, with their paths.
 */
export async function checkAppliedTemplates(
  sql: Sql,
  viewer: Viewer,
  job: NormalizedJob,
): Promise<{ ok: true; capabilities: string[][] } | { ok: false; issues: FieldIssue[] }> {
  const issues: FieldIssue[] = [];
  const capabilities: string[][] = [];
  const { steps, appliedStepTemplates } = job.payload.task;
  for (const [i, record] of appliedStepTemplates.entries()) {
    const path = `payload.task.appliedStepTemplates.${i}`;
    const [template] = await findVersion(sql, viewer, record.slug, record.version);
    if (!template) {
      issues.push({ path, message: `no template ${record.slug} at version ${record.version}` });
      continue;
    }
    capabilities.push(template.requiredCapabilities);
    const prefix = templateStepId(record.slug, record.version, 0).slice(0, -1);
    const jobIds = steps.map((s) => s.id).filter((id) => id.startsWith(prefix));
    const positions = new Set(template.steps.map((_s, n) => templateStepId(record.slug, record.version, n)));
    if (record.stepIds && JSON.stringify(record.stepIds) !== JSON.stringify(jobIds))
      issues.push({ path: `${path}.stepIds`, message: `must list the job's ${prefix}* steps in order` });
    else if (jobIds.some((id) => !positions.has(id)))
      issues.push({ path: `${path}.stepIds`, message: `the template has ${template.steps.length} steps` });
  }
  return issues.length ? { ok: false, issues } : { ok: true, capabilities };
}

/** One `task.template.applied` event per template, written by the API once the run started. */
export const templateAppliedEvents = (job: NormalizedJob): EventBatch | null => {
  const records = job.payload.task.appliedStepTemplates;
  if (!records.length) return null;
  return {
    producer: 'api:submission',
    events: records.map((r, i) => ({
      seq: i,
      level: 'info',
      type: 'task.template.applied',
      message: `template ${r.slug} ${r.version} applied (${r.stepIds?.length ?? 0} steps)`,
      payload: {
        slug: r.slug,
        version: r.version,
        inputs: r.inputs,
        stepIds: r.stepIds ?? [],
        appliedAt: r.appliedAt ?? null,
        requiredCapabilities: r.requiredCapabilities ?? [],
      },
    })),
  };
};
