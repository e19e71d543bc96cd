import { For, type JSX } from 'solid-js';
import type { SetStoreFunction } from 'solid-js/store';
import { efforts, runtimes } from '../../../contracts/task.ts';
import type { Skill } from '../api/jobs.ts';
import type { FieldErrors, TaskForm } from '../lib/task-form.ts';
import { describedBy, Field } from './Field.tsx';
import { StepEditor } from './StepEditor.tsx';

const publishChoices = ['pr', 'branch', 'none'] as const;

/**
 * The task form's fields (runtime, steps, overrides, repository, branches, publish mode, priority, attempts,
 * affinity): shared by the submit form and a proposal's edit-then-promote. `beforeSteps` goes between the
 * runtime and the step editor (the submit form's preset bar). Options carry `selected` too: a select's
 * `value` set before its options exist is lost, which a prefilled form hits.
 */
export function TaskFields(props: {
  form: TaskForm;
  setForm: SetStoreFunction<TaskForm>;
  errors: FieldErrors;
  skills: Skill[];
  runtimeDefaults?: { model: string | null; effort: string | null };
  selection?: { has: (key: number) => boolean; toggle: (key: number, on: boolean) => void };
  beforeSteps?: JSX.Element;
}) {
  const errors = () => props.errors;
  const text = (
    key: 'model' | 'repository' | 'startingBranch' | 'newBranch' | 'priority' | 'maxAttempts' | 'affinityKey',
    label: string,
    extra: { hint?: string; placeholder?: string; inputmode?: 'numeric' } = {},
  ) => (
    <Field id={key} label={label} error={errors()[key]} hint={extra.hint}>
      <input
        id={key}
        value={props.form[key]}
        placeholder={extra.placeholder}
        inputmode={extra.inputmode}
        onInput={(e) => props.setForm(key, e.currentTarget.value)}
        data-testid={`field-${key}`}
        {...describedBy(key, errors()[key])}
      />
    </Field>
  );
  return (
    <>
      <Field id="runtime" label="Runtime" error={errors().runtime}>
        <select
          id="runtime"
          value={props.form.runtime}
          onChange={(e) => props.setForm('runtime', e.currentTarget.value)}
          data-testid="field-runtime"
          {...describedBy('runtime', errors().runtime)}
        >
          <For each={runtimes}>
            {(r) => (
              <option value={r} selected={r === props.form.runtime}>
                {r === 'demo' ? 'demo (scripted, no model)' : r}
              </option>
            )}
          </For>
        </select>
      </Field>
      {props.beforeSteps}
      <StepEditor
        form={props.form}
        setForm={props.setForm}
        errors={errors()}
        skills={props.skills}
        selection={props.selection}
      />
      <div class="row">
        {text('model', 'Model override', { placeholder: props.runtimeDefaults?.model ?? 'runtime default' })}
        <Field id="effort" label="Effort override" error={errors().effort}>
          <select
            id="effort"
            value={props.form.effort}
            onChange={(e) => props.setForm('effort', e.currentTarget.value)}
            data-testid="field-effort"
            {...describedBy('effort', errors().effort)}
          >
            <option value="">default ({props.runtimeDefaults?.effort ?? 'runtime default'})</option>
            <For each={efforts}>
              {(x) => (
                <option value={x} selected={x === props.form.effort}>
                  {x}
                </option>
              )}
            </For>
          </select>
        </Field>
      </div>
      {text('repository', 'Repository', {
        placeholder: 'owner/repo',
        hint: 'owner/repo, https://host/path or git@host:path — no credentials',
      })}
      <div class="row">
        {text('startingBranch', 'Starting branch', { placeholder: 'repository default' })}
        {text('newBranch', 'New branch', { placeholder: 'generated' })}
      </div>
      <Field id="publishMode" label="Publish mode" error={errors().publishMode}>
        <select
          id="publishMode"
          value={props.form.publishMode}
          onChange={(e) => props.setForm('publishMode', e.currentTarget.value)}
          data-testid="field-publishMode"
          {...describedBy('publishMode', errors().publishMode)}
        >
          <For each={publishChoices}>
            {(m) => (
              <option value={m} selected={m === props.form.publishMode}>
                {m}
              </option>
            )}
          </For>
        </select>
      </Field>
      <div class="row">
        {text('priority', 'Priority', { inputmode: 'numeric', hint: 'integer; higher runs first' })}
        {text('maxAttempts', 'Max attempts', { inputmode: 'numeric' })}
        {text('affinityKey', 'Affinity key', { placeholder: 'optional' })}
      </div>
    </>
  );
}
