import type { z } from 'zod';
import {
  saveFromTaskSchema,
  type Template,
  type TemplateBody,
  type TemplateScope,
  templateBodySchema,
} from '../../../contracts/presets.ts';
import type { StepDraft } from './task-form.ts';

/**
 * The template editor's model (a new template, or a new version seeded from the latest one) and the
 * "save as template" request from the submit form's selected steps; both checked with the contract's zod
 * schemas, issues mapped onto field keys (`title`, `steps.2.instructions`, `inputs`, …).
 */
export interface TemplateStepDraft {
  title: string;
  instructions: string;
  skillId: string;
  skillArgs: string;
}
export interface TemplateDraft {
  slug: string;
  version: string;
  scope: TemplateScope;
  team: string;
  title: string;
  description: string;
  /** Comma-separated. */
  tags: string;
  /** Comma-separated. */
  requiredCapabilities: string;
  /** The inputs as a JSON array (edited as text). */
  inputs: string;
  steps: TemplateStepDraft[];
}

export type Errors = Record<string, string>;

/** `1.2.3` → `1.3.0` (minor) or `1.2.4` (patch) or `2.0.0` (major); an unreadable version → `1.0.0`. */
export function bumpVersion(version: string, part: 'major' | 'minor' | 'patch' = 'minor'): string {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!m) return '1.0.0';
  const [maj, min, pat] = m.slice(1).map(Number);
  if (part === 'major') return `${maj + 1}.0.0`;
  if (part === 'minor') return `${maj}.${min + 1}.0`;
  return `${maj}.${min}.${pat + 1}`;
}

export const emptyTemplateStep = (): TemplateStepDraft => ({
  title: '',
  instructions: '',
  skillId: '',
  skillArgs: '',
});

export function emptyDraft(scope: TemplateScope = 'personal'): TemplateDraft {
  return {
    slug: '',
    version: '1.0.0',
    scope,
    team: '',
    title: '',
    description: '',
    tags: '',
    requiredCapabilities: '',
    inputs: '[]',
    steps: [emptyTemplateStep()],
  };
}

/** A new version's draft: everything from the latest version, the version bumped. */
export function draftFromTemplate(t: Template, bump: 'major' | 'minor' | 'patch' = 'minor'): TemplateDraft {
  return {
    slug: t.slug,
    version: bumpVersion(t.version, bump),
    scope: t.scope,
    team: t.team ?? '',
    title: t.title,
    description: t.description ?? '',
    tags: (t.tags ?? []).join(', '),
    requiredCapabilities: (t.requiredCapabilities ?? []).join(', '),
    inputs: JSON.stringify(t.inputs ?? [], null, 2),
    steps: t.steps.map((s) => ({
      title: s.title ?? '',
      instructions: s.instructions ?? '',
      skillId: s.skill?.id ?? '',
      skillArgs: s.skill && Object.keys(s.skill.args ?? {}).length ? JSON.stringify(s.skill.args) : '',
    })),
  };
}

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function parseObject(text: string): { value: Record<string, unknown> } | { error: string } {
  if (!text.trim()) return { value: {} };
  try {
    const v = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) return { value: v };
  } catch {
    return { error: 'must be valid JSON' };
  }
  return { error: 'must be a JSON object' };
}

/** A step of the template contract from an editor row; `prefix` names its fields in the errors. */
function templateStep(s: TemplateStepDraft, prefix: string, errors: Errors) {
  const args = parseObject(s.skillArgs);
  if ('error' in args) errors[`${prefix}.skillArgs`] = args.error;
  const skillId = s.skillId.trim();
  return {
    title: s.title.trim() || null,
    instructions: s.instructions.trim() ? s.instructions : null,
    skill: skillId ? { id: skillId, args: 'value' in args ? args.value : {} } : null,
  };
}

function issuesInto(errors: Errors, issues: { path: PropertyKey[]; message: string }[]) {
  for (const issue of issues) {
    const path = issue.path.map(String);
    const key =
      path[0] === 'steps' && path.length >= 3
        ? `steps.${path[1]}.${path[2] === 'skill' ? 'skillId' : path[2]}`
        : path[0] === 'inputs'
          ? 'inputs'
          : (path[0] ?? '_form');
    errors[key] ??=
      path[0] === 'inputs' && path.length > 1 ? `${path.join('.')}: ${issue.message}` : issue.message;
  }
}

/** The create body, or the errors that keep it from being sent. */
export function bodyFromDraft(d: TemplateDraft): { body: TemplateBody } | { errors: Errors } {
  const errors: Errors = {};
  let inputs: unknown = [];
  try {
    inputs = d.inputs.trim() ? JSON.parse(d.inputs) : [];
    if (!Array.isArray(inputs)) errors.inputs = 'must be a JSON array of inputs';
  } catch {
    errors.inputs = 'must be valid JSON';
  }
  const steps = d.steps.map((s, i) => templateStep(s, `steps.${i}`, errors));
  const parsed = templateBodySchema.safeParse({
    slug: d.slug.trim(),
    version: d.version.trim(),
    scope: d.scope,
    team: d.scope === 'team' ? d.team.trim() || null : null,
    title: d.title,
    description: d.description,
    inputs: Array.isArray(inputs) ? inputs : [],
    steps,
    tags: list(d.tags),
    requiredCapabilities: list(d.requiredCapabilities),
  });
  if (!parsed.success) issuesInto(errors, parsed.error.issues);
  if (d.scope === 'team' && !d.team.trim()) errors.team ??= 'a team template needs its team';
  if (Object.keys(errors).length || !parsed.success) return { errors };
  return { body: parsed.data };
}

/** "Save as template": the selected steps of the submit form, with the slug, title and description. */
export function saveFromFormRequest(
  meta: { slug: string; title: string; description: string },
  steps: StepDraft[],
): { body: z.output<typeof saveFromTaskSchema> } | { errors: Errors } {
  const errors: Errors = {};
  if (steps.length === 0) errors._form = 'select at least one step';
  const templateSteps = steps.map((s, i) => {
    const step = templateStep(s, `steps.${i}`, errors);
    if (!step.instructions && !step.skill)
      errors[`steps.${i}.instructions`] ??= 'a step needs instructions or a skill';
    // Only what a template step may hold: ids are assigned by expansion, nulls are left out.
    return Object.fromEntries(Object.entries(step).filter(([, v]) => v !== null));
  });
  const parsed = saveFromTaskSchema.safeParse({
    slug: meta.slug.trim(),
    title: meta.title,
    description: meta.description,
    steps: templateSteps,
  });
  if (!parsed.success) issuesInto(errors, parsed.error.issues);
  if (Object.keys(errors).length || !parsed.success) return { errors };
  return { body: parsed.data };
}
