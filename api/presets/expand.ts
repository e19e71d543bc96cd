import {
  type ExpandResult,
  type TemplateBody,
  templateContextKeys,
  templateForbiddenStepKeys,
  templateStepId,
} from '../../contracts/presets.ts';
import type { FieldIssue } from '../../contracts/task.ts';

/**
 * Preset expansion (spec 06), pure: a template version, the caller's inputs and the server's context become
 * concrete steps with deterministic ids. Given the same clock it returns byte-identical output, so a
 * retried expansion and the submission's check agree.
 */

/** Filled by the server from the request's repository, its settings and the caller; never by the client. */
export interface ExpandContext {
  repository: string | null;
  /** Unknown until a worker clones the repository: expansion then uses `main` and warns. */
  defaultBranch: string | null;
  objective: string;
  requester: string;
}

export interface ExpandOptions {
  /** The request's clock: `{{now}}`, `{{iso_today}}` and `appliedAt` all come from it. */
  now: Date;
  maxSteps: number;
  skillCapabilities?: (skillId: string) => string[];
}

export type InputValues = Record<string, string | boolean>;
export type ExpandOutcome = { ok: true; result: ExpandResult } | { ok: false; issues: FieldIssue[] };
type ExpandableTemplate = Pick<
  TemplateBody,
  'slug' | 'version' | 'inputs' | 'steps' | 'requiredCapabilities'
>;

const placeholder = /\{\{\s*([^{}]*?)\s*\}\}/g;
const contextKeys: readonly string[] = templateContextKeys;

/** Every string a step carries, with its path (title, instructions, skill args at any depth). */
function stepStrings(step: ExpandableTemplate['steps'][number], i: number): [string, string][] {
  const out: [string, string][] = [];
  if (step.title) out.push([`steps.${i}.title`, step.title]);
  if (step.instructions) out.push([`steps.${i}.instructions`, step.instructions]);
  const walk = (value: unknown, path: string) => {
    if (typeof value === 'string') out.push([path, value]);
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
  };
  if (step.skill) walk(step.skill.args, `steps.${i}.skill.args`);
  return out;
}

const known = (name: string, inputs: Set<string>) =>
  name === 'now' ||
  name === 'iso_today' ||
  (name.startsWith('inputs.') && inputs.has(name.slice(7))) ||
  (name.startsWith('context.') && contextKeys.includes(name.slice(8)));

/** Placeholders naming no declared input, no context key and no clock value (creation refuses them too). */
export function unresolvedPlaceholders(template: Pick<TemplateBody, 'inputs' | 'steps'>): FieldIssue[] {
  const inputs = new Set(template.inputs.map((i) => i.name));
  const issues: FieldIssue[] = [];
  template.steps.forEach((step, i) => {
    for (const [path, text] of stepStrings(step, i))
      for (const [, name] of text.matchAll(placeholder))
        if (!known(name, inputs)) issues.push({ path, message: `unresolved placeholder {{${name}}}` });
  });
  return issues;
}

/** The declared inputs' values: given ones checked against their declarations, the rest from defaults. */
function resolveInputs(
  template: ExpandableTemplate,
  given: InputValues,
): { values: Record<string, string | boolean>; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const declared = new Map(template.inputs.map((i) => [i.name, i]));
  for (const name of Object.keys(given))
    if (!declared.has(name))
      issues.push({ path: `inputs.${name}`, message: 'unknown input: the template does not declare it' });
  const values: Record<string, string | boolean> = {};
  for (const input of template.inputs) {
    const value = Object.hasOwn(given, input.name) ? given[input.name] : input.default;
    const path = `inputs.${input.name}`;
    if (value === null || (typeof value === 'string' && !value.trim())) {
      if (input.required) issues.push({ path, message: 'is required' });
      continue;
    }
    if (input.type === 'boolean' ? typeof value !== 'boolean' : typeof value !== 'string') {
      issues.push({ path, message: `must be a ${input.type === 'boolean' ? 'boolean' : 'string'}` });
      continue;
    }
    if (input.type === 'enum' && !input.options.includes(value as string)) {
      issues.push({ path, message: `must be one of: ${input.options.join(', ')}` });
      continue;
    }
    values[input.name] = value;
  }
  return { values, issues };
}

const usesDefaultBranch = (template: ExpandableTemplate) =>
  template.steps.some((s, i) =>
    stepStrings(s, i).some(([, t]) => /\{\{\s*context\.defaultBranch\s*\}\}/.test(t)),
  );
const usesRepository = (template: ExpandableTemplate) =>
  template.steps.some((s, i) =>
    stepStrings(s, i).some(([, t]) => /\{\{\s*context\.repository\s*\}\}/.test(t)),
  );

export function expandTemplate(
  template: ExpandableTemplate,
  given: InputValues,
  context: ExpandContext,
  options: ExpandOptions,
): ExpandOutcome {
  const issues: FieldIssue[] = [];
  const warnings: string[] = [];
  if (template.steps.length === 0) issues.push({ path: 'steps', message: 'the template has no steps' });
  if (template.steps.length > options.maxSteps)
    issues.push({
      path: 'steps',
      message: `the template has ${template.steps.length} steps; at most ${options.maxSteps} (MOONMIND_PRESET_MAX_STEPS)`,
    });
  // Stored and seeded templates were checked when written; this guards against rows written any other way.
  template.steps.forEach((step, i) => {
    for (const key of Object.keys(step))
      if (templateForbiddenStepKeys.includes(key))
        issues.push({ path: `steps.${i}.${key}`, message: `a template step may not set ${key}` });
  });
  const inputs = resolveInputs(template, given);
  issues.push(...inputs.issues, ...unresolvedPlaceholders(template));
  if (context.repository === null && usesRepository(template))
    issues.push({
      path: 'repository',
      message: 'the template needs a repository: give one (no default is configured)',
    });
  if (issues.length) return { ok: false, issues };

  if (context.defaultBranch === null && usesDefaultBranch(template))
    warnings.push(
      'the repository\'s default branch is not known before a run clones it: {{context.defaultBranch}} is "main"',
    );
  const iso = options.now.toISOString();
  const values: Record<string, string> = {
    now: iso,
    iso_today: iso.slice(0, 10),
    'context.repository': context.repository ?? '',
    'context.defaultBranch': context.defaultBranch ?? 'main',
    'context.objective': context.objective,
    'context.requester': context.requester,
  };
  for (const [name, value] of Object.entries(inputs.values)) values[`inputs.${name}`] = String(value);
  // One pass: a value that itself looks like a placeholder is inserted as written, never expanded again.
  const fill = (text: string) => text.replace(placeholder, (_m, name: string) => values[name] ?? '');
  const fillDeep = (value: unknown): unknown =>
    typeof value === 'string'
      ? fill(value)
      : Array.isArray(value)
        ? value.map(fillDeep)
        : value && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillDeep(v)]))
          : value;

  const steps = template.steps.map((step, i) => {
    const title = step.title === null ? null : fill(step.title).trim() || null;
    const instructions = step.instructions === null ? null : fill(step.instructions);
    const skill = step.skill
      ? { id: step.skill.id, args: fillDeep(step.skill.args) as Record<string, unknown> }
      : null;
    if (!instructions?.trim() && !skill)
      issues.push({
        path: `steps.${i}.instructions`,
        message: 'is empty after expansion (and the step has no skill)',
      });
    return {
      id: templateStepId(template.slug, template.version, i),
      title,
      instructions: instructions?.trim() ? instructions : null,
      skill,
    };
  });
  if (issues.length) return { ok: false, issues };

  const capabilities = new Set(template.requiredCapabilities);
  for (const step of steps)
    if (step.skill && step.skill.id !== 'auto')
      for (const c of options.skillCapabilities?.(step.skill.id) ?? []) capabilities.add(c);
  const requiredCapabilities = [...new Set([...capabilities].map((c) => c.trim().toLowerCase()))]
    .filter(Boolean)
    .sort();
  return {
    ok: true,
    result: {
      steps,
      appliedTemplate: {
        slug: template.slug,
        version: template.version,
        inputs: inputs.values,
        stepIds: steps.map((s) => s.id),
        appliedAt: iso,
        requiredCapabilities,
      },
      requiredCapabilities,
      warnings,
    },
  };
}
