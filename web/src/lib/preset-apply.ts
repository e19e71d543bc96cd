import type { ExpandResult } from '../../../contracts/presets.ts';
import { type AppliedTemplate, newStep, type StepDraft } from './task-form.ts';

/**
 * Putting an expanded template into the submit form: its steps (keeping their `tpl:…` ids) appended after
 * the form's steps or replacing the extra ones, and the applied-template record the submission carries
 * (`task.appliedStepTemplates`) with the union of the capabilities the expansion derived. At submission
 * `appliedForRequest` (task-form.ts) narrows the records to the steps still in the form.
 */
export type ApplyMode = 'append' | 'replace';

export const union = (...lists: (readonly string[] | undefined)[]) =>
  [...new Set(lists.flatMap((l) => l ?? []).map((c) => c.trim().toLowerCase()))].filter(Boolean).sort();

export function draftFromExpanded(step: ExpandResult['steps'][number]): StepDraft {
  const args = step.skill?.args ?? {};
  return {
    ...newStep(),
    id: step.id,
    title: step.title ?? '',
    instructions: step.instructions ?? '',
    skillId: step.skill?.id ?? '',
    skillArgs: step.skill && Object.keys(args).length > 0 ? JSON.stringify(args) : '',
  };
}

export function appliedRecord(result: ExpandResult): AppliedTemplate {
  const a = result.appliedTemplate;
  return {
    slug: a.slug,
    version: a.version,
    inputs: a.inputs,
    stepIds: a.stepIds?.length ? a.stepIds : result.steps.map((s) => s.id),
    appliedAt: a.appliedAt,
    requiredCapabilities: union(a.requiredCapabilities, result.requiredCapabilities),
  };
}

const blank = (s: StepDraft) =>
  !s.id.trim() && !s.title.trim() && !s.instructions.trim() && !s.skillId.trim() && !s.skillArgs.trim();

/**
 * The form's steps and records after applying. The primary step (the task objective) always stays. Append
 * keeps the extra steps (dropping blank ones) and adds the template's after them; applying the same
 * template again swaps its earlier steps and record for the new ones (step ids would collide otherwise).
 * Replace swaps every extra step, and every earlier record, for the template's.
 */
export function applyExpanded(
  current: { steps: StepDraft[]; appliedTemplates: AppliedTemplate[] },
  result: ExpandResult,
  mode: ApplyMode,
): { steps: StepDraft[]; appliedTemplates: AppliedTemplate[] } {
  const record = appliedRecord(result);
  const added = result.steps.map(draftFromExpanded);
  const [primary = newStep(), ...extra] = current.steps;
  if (mode === 'replace') return { steps: [primary, ...added], appliedTemplates: [record] };
  const newIds = new Set(added.map((s) => s.id));
  const earlier = current.appliedTemplates.filter((r) => r.slug === record.slug);
  const earlierIds = new Set(earlier.flatMap((r) => r.stepIds));
  const kept = extra.filter((s) => !blank(s) && !newIds.has(s.id.trim()) && !earlierIds.has(s.id.trim()));
  return {
    steps: [primary, ...kept, ...added],
    appliedTemplates: [...current.appliedTemplates.filter((r) => r.slug !== record.slug), record],
  };
}
