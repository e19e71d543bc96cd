import { For, Show } from 'solid-js';
import type { SetStoreFunction } from 'solid-js/store';
import type { FleetOption } from '../../../contracts/fleet.ts';
import type { Skill } from '../api/jobs.ts';
import { type FieldErrors, move, newStep, stepsToRun, type TaskForm } from '../lib/task-form.ts';
import { describedBy, Field } from './Field.tsx';
import { Unserved } from './Unserved.tsx';

/**
 * The objective (the task's instructions and skill) and extra steps with id, title, instructions and skill;
 * add, remove, move up/down. With no extra step the objective runs as the one step; with extra steps each
 * of them runs, in order, with the objective as their context.
 */
export function StepEditor(props: {
  form: TaskForm;
  setForm: SetStoreFunction<TaskForm>;
  errors: FieldErrors;
  skills: Skill[];
  /** Skills marked by what the live workers serve. */
  skillMarks?: FleetOption[];
  /** Rows picked for "save as template" (by step key); no checkboxes without it. */
  selection?: { has: (key: number) => boolean; toggle: (key: number, on: boolean) => void };
}) {
  const steps = () => props.form.steps;
  const skillMark = (id: string) => props.skillMarks?.find((m) => m.value === id.trim());
  const runs = () =>
    steps().length <= 1
      ? '1 step will run: the objective.'
      : `${stepsToRun(props.form)} ${stepsToRun(props.form) === 1 ? 'step' : 'steps'} will run: the extra steps, each with the objective as its context.`;
  return (
    <fieldset class="steps" data-testid="step-editor">
      <legend>Objective and steps</legend>
      <p class="hint" data-testid="steps-count">
        {runs()}
      </p>
      <Show when={props.errors.steps}>
        <p class="field-error" data-testid="error-steps">
          {props.errors.steps}
        </p>
      </Show>
      <For each={steps()}>
        {(step, i) => {
          const id = (part: string) => `step-${i()}-${part}`;
          const err = (part: string) => props.errors[`steps.${i()}.${part}`];
          const set = (part: 'id' | 'title' | 'instructions' | 'skillId' | 'skillArgs', value: string) =>
            props.setForm('steps', i(), part, value);
          return (
            <div class="step" data-testid={`step-${i()}`}>
              <div class="step-head">
                <Show when={props.selection}>
                  {(sel) => (
                    <label class="inline step-select">
                      <input
                        type="checkbox"
                        checked={sel().has(step.key)}
                        onChange={(e) => sel().toggle(step.key, e.currentTarget.checked)}
                        aria-label={`Select step ${i()} for a template`}
                        data-testid={`select-step-${i()}`}
                      />
                    </label>
                  )}
                </Show>
                <h3>
                  {i() === 0 ? 'Objective' : `Extra step ${i()}`}
                  <Show when={step.id.startsWith('tpl:')}>
                    <span class="badge marker" title={step.id} data-testid={`step-${i()}-template`}>
                      template
                    </span>
                  </Show>
                </h3>
                <div class="step-actions">
                  <button
                    type="button"
                    class="secondary small"
                    disabled={i() === 0}
                    aria-label={`Move step ${i()} up`}
                    onClick={() => props.setForm('steps', move(steps(), i(), -1))}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    class="secondary small"
                    disabled={i() === steps().length - 1}
                    aria-label={`Move step ${i()} down`}
                    onClick={() => props.setForm('steps', move(steps(), i(), 1))}
                  >
                    ↓
                  </button>
                  <button
                    type="button"
                    class="secondary small"
                    disabled={steps().length === 1}
                    aria-label={`Remove step ${i()}`}
                    onClick={() =>
                      props.setForm(
                        'steps',
                        steps().filter((_, k) => k !== i()),
                      )
                    }
                    data-testid={`remove-step-${i()}`}
                  >
                    Remove
                  </button>
                </div>
              </div>
              <Show when={i() > 0}>
                <div class="row">
                  <Field id={id('id')} label="Step id" error={err('id')} hint="optional; step-N when empty">
                    <input
                      id={id('id')}
                      value={step.id}
                      onInput={(e) => set('id', e.currentTarget.value)}
                      {...describedBy(id('id'), err('id'))}
                    />
                  </Field>
                  <Field id={id('title')} label="Title" error={err('title')}>
                    <input
                      id={id('title')}
                      value={step.title}
                      onInput={(e) => set('title', e.currentTarget.value)}
                      {...describedBy(id('title'), err('title'))}
                    />
                  </Field>
                </div>
              </Show>
              <Field id={id('instructions')} label="Instructions" error={err('instructions')}>
                <textarea
                  id={id('instructions')}
                  rows={i() === 0 ? 5 : 3}
                  value={step.instructions}
                  onInput={(e) => set('instructions', e.currentTarget.value)}
                  {...describedBy(id('instructions'), err('instructions'))}
                />
              </Field>
              <div class="row">
                <Field id={id('skillId')} label="Skill" error={err('skillId')} hint="empty = auto">
                  <input
                    id={id('skillId')}
                    list="skill-options"
                    value={step.skillId}
                    placeholder="auto"
                    onInput={(e) => set('skillId', e.currentTarget.value)}
                    {...describedBy(id('skillId'), err('skillId'))}
                  />
                  <Unserved id={id('skillId')} option={skillMark(step.skillId)} />
                </Field>
                <Field id={id('skillArgs')} label="Skill args (JSON object)" error={err('skillArgs')}>
                  <input
                    id={id('skillArgs')}
                    class="mono"
                    value={step.skillArgs}
                    placeholder="{}"
                    onInput={(e) => set('skillArgs', e.currentTarget.value)}
                    {...describedBy(id('skillArgs'), err('skillArgs'))}
                  />
                </Field>
              </div>
            </div>
          );
        }}
      </For>
      <datalist id="skill-options">
        <For each={props.skills}>
          {(s) => (
            <option value={s.id}>
              {skillMark(s.id)?.served === false ? `${s.title} (no live worker)` : s.title}
            </option>
          )}
        </For>
      </datalist>
      <button
        type="button"
        class="secondary"
        onClick={() => props.setForm('steps', [...steps(), newStep()])}
        id="add-step"
        data-testid="add-step"
      >
        Add extra step
      </button>
    </fieldset>
  );
}
