import type { z } from 'zod';
import type { appliedTemplateRecordSchema } from '../../../contracts/presets.ts';
import { repositoryShapeError } from '../../../contracts/repository.ts';
import { containsSecret } from '../../../contracts/secrets.ts';
import { firstLine, normalizeJob, publishModes, type Runtime, runtimes } from '../../../contracts/task.ts';

/**
 * The submit form's model and its mapping to the request body (shared/spec/03-dashboard.md). The primary
 * step (editor index 0) becomes `task.instructions` + `task.skill`; extra steps (index ≥ 1) become
 * `task.steps[index - 1]`. Field keys are `runtime`, `repository`, …, and `steps.<editorIndex>.<part>`.
 */
export interface StepDraft {
  /** Local key for rendering only; never sent. */
  key: number;
  id: string;
  title: string;
  instructions: string;
  skillId: string;
  skillArgs: string;
}

export type AppliedTemplate = z.infer<typeof appliedTemplateRecordSchema>;

export interface TaskForm {
  /** The job's title; empty: the first line of the objective. */
  title: string;
  runtime: string;
  steps: StepDraft[];
  /** Templates applied from the preset drawer (lib/preset-apply.ts); sent as `task.appliedStepTemplates`. */
  appliedTemplates: AppliedTemplate[];
  model: string;
  effort: string;
  repository: string;
  startingBranch: string;
  newBranch: string;
  publishMode: string;
  priority: string;
  maxAttempts: string;
  affinityKey: string;
}

export type FieldErrors = Record<string, string>;

let nextKey = 1;
export const newStep = (): StepDraft => ({
  key: nextKey++,
  id: '',
  title: '',
  instructions: '',
  skillId: '',
  skillArgs: '',
});

export function emptyForm(defaults?: {
  defaultRuntime?: string;
  defaultRepository?: string | null;
  defaultPublishMode?: string;
}): TaskForm {
  return {
    title: '',
    runtime: defaults?.defaultRuntime ?? 'codex',
    steps: [newStep()],
    appliedTemplates: [],
    model: '',
    effort: '',
    repository: defaults?.defaultRepository ?? '',
    startingBranch: '',
    newBranch: '',
    publishMode: defaults?.defaultPublishMode ?? 'pr',
    priority: '0',
    maxAttempts: '3',
    affinityKey: '',
  };
}

/**
 * Server defaults arrive after the form is on screen: they fill only the fields still at their empty value,
 * so nothing the user typed while they loaded is overwritten.
 */
export function applyDefaults(
  form: TaskForm,
  set: <K extends 'runtime' | 'repository' | 'publishMode'>(key: K, value: TaskForm[K]) => void,
  defaults: Parameters<typeof emptyForm>[0],
): void {
  const initial = emptyForm();
  const fresh = emptyForm(defaults);
  for (const key of ['runtime', 'repository', 'publishMode'] as const)
    if (form[key] === initial[key]) set(key, fresh[key]);
}

const orNull = (s: string) => (s.trim() ? s.trim() : null);

function parseArgs(text: string): { value: Record<string, unknown> } | { error: string } {
  if (!text.trim()) return { value: {} };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { error: 'must be valid JSON' };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return { error: 'must be a JSON object' };
  return { value: v as Record<string, unknown> };
}

function parseInteger(text: string): number | null {
  return /^\s*-?\d+\s*$/.test(text) ? Number(text) : null;
}

/** The exact request body the form sends, plus errors found while building it (unparsable JSON/numbers). */
export function buildRequest(form: TaskForm): { body: Record<string, unknown>; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const skillOf = (step: StepDraft, i: number) => {
    const args = parseArgs(step.skillArgs);
    if ('error' in args) errors[`steps.${i}.skillArgs`] = args.error;
    const id = step.skillId.trim();
    const value = 'value' in args ? args.value : {};
    return { id: id || 'auto', args: value, empty: !id && Object.keys(value).length === 0 };
  };
  const [primary, ...extra] = form.steps;
  const primarySkill = primary ? skillOf(primary, 0) : { id: 'auto', args: {} };
  const steps = extra.map((s, k) => {
    const skill = skillOf(s, k + 1);
    const step: Record<string, unknown> = {};
    if (s.id.trim()) step.id = s.id.trim();
    if (s.title.trim()) step.title = s.title.trim();
    if (s.instructions.trim()) step.instructions = s.instructions;
    if (!skill.empty) step.skill = { id: skill.id, args: skill.args };
    return step;
  });
  const priority = parseInteger(form.priority);
  if (priority === null) errors.priority = 'must be an integer';
  const maxAttempts = parseInteger(form.maxAttempts);
  if (maxAttempts === null) errors.maxAttempts = 'must be an integer';
  const applied = appliedForRequest(form.appliedTemplates ?? [], form.steps);
  const body = {
    type: 'task',
    priority: priority ?? 0,
    maxAttempts: maxAttempts ?? 3,
    affinityKey: orNull(form.affinityKey),
    payload: {
      repository: form.repository.trim(),
      task: {
        ...(form.title.trim() ? { title: form.title.trim() } : {}),
        instructions: primary?.instructions ?? '',
        skill: { id: primarySkill.id, args: primarySkill.args },
        runtime: { mode: form.runtime, model: orNull(form.model), effort: orNull(form.effort) },
        git: { startingBranch: orNull(form.startingBranch), newBranch: orNull(form.newBranch) },
        publish: { mode: form.publishMode },
        steps,
        ...(applied.length ? { appliedStepTemplates: applied } : {}),
      },
    },
  };
  return { body, errors };
}

/**
 * The applied-template records a submission sends: each one's step ids are those of its steps still in the
 * form, in the form's order (the user may have removed or moved some; the server wants the job's
 * `tpl:<slug>:<version>:*` steps exactly, in order); records with none left are dropped.
 */
export function appliedForRequest(records: AppliedTemplate[], steps: StepDraft[]): AppliedTemplate[] {
  const ids = steps.slice(1).map((s) => s.id.trim());
  return records
    .map((r) => ({ ...r, stepIds: ids.filter((id) => r.stepIds.includes(id)) }))
    .filter((r) => r.stepIds.length > 0);
}

/**
 * Every check the form makes before sending: the building errors, the form-only rules, then the shared
 * `normalizeJob` (the server's own rules) with its issue paths mapped back onto fields.
 */
export function checkForm(
  form: TaskForm,
  ctx: { defaultRuntime: string; defaultRepository?: string | null },
): FieldErrors {
  const { body, errors } = buildRequest(form);
  const add = (field: string, message: string) => {
    errors[field] ??= message;
  };
  if (form.steps.length === 0) add('steps', 'add at least one step');
  else if (!form.steps[0].instructions.trim()) add('steps.0.instructions', 'is required');
  if (!(runtimes as readonly string[]).includes(form.runtime))
    add('runtime', `must be one of ${runtimes.join(', ')}`);
  if (!(publishModes as readonly string[]).includes(form.publishMode))
    add('publishMode', `must be one of ${publishModes.join(', ')}`);
  const repository = form.repository.trim();
  if (repository) {
    const err = repositoryShapeError(repository);
    if (err) add('repository', err);
    else if (containsSecret(repository)) add('repository', 'must not contain credentials');
  } else if (!ctx.defaultRepository) add('repository', 'is required');
  const maxAttempts = Number(form.maxAttempts);
  if (!errors.maxAttempts && maxAttempts < 1) add('maxAttempts', 'must be at least 1');
  const result = normalizeJob(body, {
    defaultRuntime: ((runtimes as readonly string[]).includes(ctx.defaultRuntime)
      ? ctx.defaultRuntime
      : 'codex') as Runtime,
    defaultRepository: ctx.defaultRepository ?? null,
  });
  if (!result.ok) for (const issue of result.issues) add(fieldForIssue(issue.path), issue.message);
  return errors;
}

/** Server (or `normalizeJob`) issue path → the form field that shows it; `_form` when no field fits. */
export function fieldForIssue(path: string): string {
  const p = path.split('.');
  if (p[0] !== 'payload') {
    return ['priority', 'maxAttempts', 'affinityKey'].includes(p[0]) ? p[0] : '_form';
  }
  if (p[1] === 'repository') return 'repository';
  if (p[1] === 'targetRuntime') return 'runtime';
  if (p[1] !== 'task') return '_form';
  if (p[2] === 'title') return 'title';
  const skillPart = (rest: string[]) => (rest[1] === 'args' ? 'skillArgs' : 'skillId');
  switch (p[2]) {
    case 'instructions':
      return 'steps.0.instructions';
    case 'skill':
      return `steps.0.${skillPart(p.slice(2))}`;
    case 'runtime':
      return p[3] === 'model' ? 'model' : p[3] === 'effort' ? 'effort' : 'runtime';
    case 'git':
      return p[3] === 'newBranch' ? 'newBranch' : 'startingBranch';
    case 'publish':
      return 'publishMode';
    case 'steps': {
      const index = Number(p[3]);
      if (!Number.isInteger(index)) return 'steps';
      const at = `steps.${index + 1}`;
      if (p[4] === 'id' || p[4] === 'title' || p[4] === 'instructions') return `${at}.${p[4]}`;
      if (p[4] === 'skill') return `${at}.${skillPart(p.slice(4))}`;
      return `${at}.instructions`;
    }
    default:
      return '_form';
  }
}

/** The title a job gets: its own, else the first line of the objective (as the server's `jobTitle`). */
export function effectiveTitle(form: TaskForm): string {
  return form.title.trim() || firstLine(form.steps[0]?.instructions ?? '');
}

/** How many steps run: each extra step, or the objective alone as one step when there is none. */
export const stepsToRun = (form: TaskForm) => Math.max(1, form.steps.length - 1);

const fieldLabels: Record<string, string> = {
  title: 'Title',
  runtime: 'Runtime',
  model: 'Model override',
  effort: 'Effort override',
  repository: 'Repository',
  startingBranch: 'Starting branch',
  newBranch: 'New branch',
  publishMode: 'Publish mode',
  priority: 'Priority',
  maxAttempts: 'Max attempts',
  affinityKey: 'Affinity key',
  steps: 'Steps',
};
const stepParts: Record<string, string> = {
  id: 'step id',
  title: 'title',
  instructions: 'instructions',
  skillId: 'skill',
  skillArgs: 'skill args',
};

/** A field key's name in the error summary, and the id of the control it links to (null: none). */
export function fieldTarget(key: string): { label: string; id: string | null } {
  const step = /^steps\.(\d+)\.(\w+)$/.exec(key);
  if (step) {
    const index = Number(step[1]);
    const part = step[2];
    if (index === 0 && part === 'instructions') return { label: 'Objective', id: 'step-0-instructions' };
    const which = index === 0 ? 'Objective' : `Extra step ${index}`;
    return { label: `${which}: ${stepParts[part] ?? part}`, id: `step-${index}-${part}` };
  }
  if (key === 'steps') return { label: fieldLabels.steps, id: 'add-step' };
  return fieldLabels[key] ? { label: fieldLabels[key], id: key } : { label: 'Task', id: null };
}

/** Move an item of a list one place up (-1) or down (+1); out-of-range moves return the list unchanged. */
export function move<T>(list: T[], index: number, delta: -1 | 1): T[] {
  const to = index + delta;
  if (to < 0 || to >= list.length) return list;
  const copy = list.slice();
  [copy[index], copy[to]] = [copy[to], copy[index]];
  return copy;
}

/**
 * The Idempotency-Key for each submission: sending the same request again (a retry after an error or a lost
 * answer) reuses its key, so the server lands on the run the first attempt may have started; an edited
 * request is a new submission with a new key.
 */
export function submissionKeys(newKey: () => string): (body: unknown) => string {
  let last: { body: string; key: string } | null = null;
  return (body) => {
    const text = JSON.stringify(body);
    if (last?.body !== text) last = { body: text, key: newKey() };
    return last.key;
  };
}
