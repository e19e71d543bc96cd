import { type TemplateBody, type TemplateInput, templateBodySchema } from '../../contracts/presets.ts';
import { redact, redactDeep } from '../../contracts/secrets.ts';
import { type FieldIssue, stepForbiddenKeys } from '../../contracts/task.ts';

/**
 * "Save as template" (spec 06): selected steps become a personal template 1.0.0. Credentials are redacted,
 * literal `{{` is broken up (it would read as a placeholder), and literal phrases repeated across steps
 * (quoted text, paths, file names) are offered as inputs whose defaults keep the text as it was.
 */

const MAX_PHRASE_INPUTS = 5;
const phrasePatterns = [
  /"([^"\n]{3,100})"/g,
  /`([^`\n]{3,100})`/g,
  /(?<![\w./-])((?:[\w.-]+\/)+[\w.-]+|[\w-]+\.[a-z]{1,5})(?![\w/-])/g,
];

/** Phrases found in at least two steps, longest first so a phrase inside another is not split. */
export function repeatedPhrases(texts: string[]): string[] {
  const stepsOf = new Map<string, Set<number>>();
  const order: string[] = [];
  texts.forEach((text, i) => {
    for (const pattern of phrasePatterns)
      for (const [, phrase] of text.matchAll(pattern)) {
        if (phrase.includes('REDACTED') || !phrase.trim()) continue;
        if (!stepsOf.has(phrase)) {
          stepsOf.set(phrase, new Set());
          order.push(phrase);
        }
        stepsOf.get(phrase)?.add(i);
      }
  });
  return order
    .filter((p) => (stepsOf.get(p)?.size ?? 0) >= 2)
    .slice(0, MAX_PHRASE_INPUTS)
    .sort((a, b) => b.length - a.length || order.indexOf(a) - order.indexOf(b));
}

const unbrace = (text: string) => text.replaceAll('{{', '{ {');

export function templateFromSteps(
  steps: Record<string, unknown>[],
  meta: { slug: string; title: string; description: string },
): { ok: true; body: TemplateBody } | { ok: false; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  steps.forEach((step, i) => {
    for (const key of Object.keys(step))
      if (stepForbiddenKeys.includes(key))
        issues.push({ path: `steps.${i}.${key}`, message: `steps may not set ${key}: it is task-level` });
  });
  if (issues.length) return { ok: false, issues };
  const cleaned = steps.map((s) => ({
    title: typeof s.title === 'string' ? unbrace(redact(s.title)) : null,
    instructions: typeof s.instructions === 'string' ? unbrace(redact(s.instructions)) : null,
    skill:
      s.skill && typeof s.skill === 'object' && typeof (s.skill as { id?: unknown }).id === 'string'
        ? {
            id: (s.skill as { id: string }).id,
            args: redactDeep((s.skill as { args?: Record<string, unknown> }).args ?? {}),
          }
        : null,
  }));
  const phrases = repeatedPhrases(cleaned.map((s) => s.instructions ?? ''));
  const inputs: TemplateInput[] = phrases.map((phrase, n) => ({
    name: `phrase_${n + 1}`,
    label: `Repeated: ${phrase.length > 60 ? `${phrase.slice(0, 57)}...` : phrase}`,
    type: 'text',
    required: false,
    default: phrase,
    options: [],
  }));
  for (const step of cleaned)
    if (step.instructions)
      step.instructions = phrases.reduce(
        (text, phrase, n) => text.replaceAll(phrase, `{{inputs.phrase_${n + 1}}}`),
        step.instructions,
      );
  const parsed = templateBodySchema.safeParse({
    slug: meta.slug,
    version: '1.0.0',
    scope: 'personal',
    title: meta.title,
    description: meta.description,
    inputs,
    steps: cleaned,
  });
  if (!parsed.success)
    return {
      ok: false,
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    };
  return { ok: true, body: parsed.data };
}
