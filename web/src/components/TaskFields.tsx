import { For, type JSX } from 'solid-js';
import type { SetStoreFunction } from 'solid-js/store';
import type { FleetOption } from '../../../contracts/fleet.ts';
import { efforts, runtimes } from '../../../contracts/task.ts';
import type { Skill } from '../api/jobs.ts';
import { effectiveTitle, type FieldErrors, type TaskForm } from '../lib/task-form.ts';
import { describedBy, Field } from './Field.tsx';
import { StepEditor } from './StepEditor.tsx';
import { Unserved } from './Unserved.tsx';

const publishChoices = ['pr', 'branch', 'none'] as const;

/** What the live workers serve (GET /api/tasks/fleet), marked for the form's repository. */
export interface FormFleet {
  runtimes: FleetOption[];
  publishModes: FleetOption[];
  skills: FleetOption[];
}

const markOf = (options: FleetOption[] | undefined, value: string) => options?.find((o) => o.value === value);

/** An option's text: its value, and that no worker serves it when so. */
const optionText = (value: string, mark: FleetOption | undefined) =>
  mark && !mark.served ? `${value} (no live worker)` : value;

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
  fleet?: FormFleet;
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
      <Field
        id="title"
        label="Title"
        error={errors().title}
        hint="optional: the objective's first line when empty"
      >
        <input
          id="title"
          value={props.form.title}
          placeholder={effectiveTitle(props.form) || 'the objective’s first line'}
          onInput={(e) => props.setForm('title', e.currentTarget.value)}
          data-testid="field-title"
          {...describedBy('title', errors().title)}
        />
      </Field>
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
              <option
                value={r}
                selected={r === props.form.runtime}
                data-served={String(markOf(props.fleet?.runtimes, r)?.served ?? true)}
              >
                {optionText(r === 'demo' ? 'demo (scripted, no model)' : r, markOf(props.fleet?.runtimes, r))}
              </option>
            )}
          </For>
        </select>
        <Unserved id="runtime" option={markOf(props.fleet?.runtimes, props.form.runtime)} />
      </Field>
      {props.beforeSteps}
      <StepEditor
        form={props.form}
        setForm={props.setForm}
        errors={errors()}
        skills={props.skills}
        skillMarks={props.fleet?.skills}
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
              <option
                value={m}
                selected={m === props.form.publishMode}
                data-served={String(markOf(props.fleet?.publishModes, m)?.served ?? true)}
              >
                {optionText(m, markOf(props.fleet?.publishModes, m))}
              </option>
            )}
          </For>
        </select>
        <Unserved id="publishMode" option={markOf(props.fleet?.publishModes, props.form.publishMode)} />
      </Field>
      <div class="row">
        {text('priority', 'Priority', { inputmode: 'numeric', hint: 'integer; higher runs first' })}
        {text('maxAttempts', 'Max attempts', { inputmode: 'numeric' })}
        {text('affinityKey', 'Affinity key', { placeholder: 'optional' })}
      </div>
    </>
  );
}
