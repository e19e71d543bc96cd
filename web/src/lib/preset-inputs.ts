import {
  type Template,
  type TemplateInput,
  type TemplateInputType,
  templateInputSchema,
} from '../../../contracts/presets.ts';

/**
 * The inputs dialog's model: one control per template input (its kind from the input's type), its first
 * values from the defaults, and the checks of `templateInputSchema` (required, enum options) before
 * anything is sent to `:expand`.
 */
export type InputValue = string | boolean;
export type InputValues = Record<string, InputValue>;
export type InputControl = 'text' | 'textarea' | 'select' | 'checkbox';

export const controlFor = (type: TemplateInputType): InputControl => {
  switch (type) {
    case 'textarea':
    case 'markdown':
      return 'textarea';
    case 'enum':
      return 'select';
    case 'boolean':
      return 'checkbox';
    default:
      // text, user, team, repo_path
      return 'text';
  }
};

/** The template's inputs with the contract's defaults filled (`required: false`, `options: []`, …). */
export function normalizedInputs(template: Pick<Template, 'inputs'>): TemplateInput[] {
  return (template.inputs ?? []).map((raw) => {
    const parsed = templateInputSchema.safeParse(raw);
    if (parsed.success) return parsed.data;
    // A template the server already holds is trusted as it is; only the missing defaults are filled.
    return {
      ...raw,
      required: raw.required ?? false,
      default: raw.default ?? null,
      options: raw.options ?? [],
    };
  });
}

export function initialValues(inputs: TemplateInput[]): InputValues {
  const values: InputValues = {};
  for (const input of inputs) {
    if (input.type === 'boolean') values[input.name] = input.default === true || input.default === 'true';
    else values[input.name] = typeof input.default === 'string' ? input.default : '';
  }
  return values;
}

/** Errors by input name; empty when the values may be sent. */
export function checkInputs(inputs: TemplateInput[], values: InputValues): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const input of inputs) {
    const v = values[input.name];
    if (input.type === 'boolean') {
      if (v !== undefined && typeof v !== 'boolean') errors[input.name] = 'must be true or false';
      continue;
    }
    const text = typeof v === 'string' ? v : '';
    if (input.required && !text.trim()) errors[input.name] = 'is required';
    else if (input.type === 'enum' && text && !input.options.includes(text))
      errors[input.name] = `must be one of ${input.options.join(', ')}`;
    else if (text.length > 100_000) errors[input.name] = 'must be at most 100,000 characters';
  }
  return errors;
}

/** What `:expand` receives: every declared input, booleans as booleans, text as text. */
export function inputsForExpand(inputs: TemplateInput[], values: InputValues): Record<string, InputValue> {
  const out: Record<string, InputValue> = {};
  for (const input of inputs) {
    const v = values[input.name];
    out[input.name] = input.type === 'boolean' ? v === true : typeof v === 'string' ? v : '';
  }
  return out;
}
