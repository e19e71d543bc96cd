import { createComputed, createMemo, createSignal, For, Match, on, Show, Switch } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import type { ExpandResult, Template } from '../../../../contracts/presets.ts';
import { apiReachable } from '../../api/client.ts';
import { expandTemplate, refOf } from '../../api/presets.ts';
import { errorMessage } from '../../lib/format.ts';
import type { ApplyMode } from '../../lib/preset-apply.ts';
import {
  checkInputs,
  controlFor,
  type InputValues,
  initialValues,
  inputsForExpand,
  normalizedInputs,
} from '../../lib/preset-inputs.ts';
import { describedBy, Field } from '../Field.tsx';
import { Modal } from '../Modal.tsx';

/**
 * Applying a template: one control per input (from its type), append or replace, the contract's checks,
 * then `:expand` with the form's repository and objective (the server resolves the context from them).
 */
export function InputsDialog(props: {
  template: Template | null;
  context: { repository: string; instructions: string };
  onApplied: (result: ExpandResult, mode: ApplyMode) => void;
  onClose: () => void;
}) {
  const inputs = createMemo(() => (props.template ? normalizedInputs(props.template) : []));
  const [values, setValues] = createStore<InputValues>({});
  const [mode, setMode] = createSignal<ApplyMode>('append');
  const [attempted, setAttempted] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [failure, setFailure] = createSignal<string | null>(null);
  // A new template: fresh values from its defaults.
  createComputed(
    on(inputs, (list) => {
      setValues(reconcile(initialValues(list)));
      setMode('append');
      setAttempted(false);
      setFailure(null);
    }),
  );
  const errors = createMemo(() => (attempted() ? checkInputs(inputs(), values) : {}));

  const apply = async (ev: SubmitEvent) => {
    ev.preventDefault();
    const t = props.template;
    if (!t) return;
    setAttempted(true);
    setFailure(null);
    if (Object.keys(checkInputs(inputs(), values)).length) return;
    setBusy(true);
    try {
      const result = await expandTemplate(
        t.slug,
        {
          version: t.version,
          inputs: inputsForExpand(inputs(), values),
          repository: props.context.repository.trim() || undefined,
          instructions: props.context.instructions.trim() ? props.context.instructions : undefined,
        },
        refOf(t),
      );
      props.onApplied(result, mode());
    } catch (e) {
      setFailure(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={!!props.template}
      title={`Apply ${props.template?.title ?? 'template'}`}
      testid="preset-inputs-dialog"
      onClose={props.onClose}
      wide
    >
      <form class="stack" onSubmit={apply} novalidate>
        <Show when={inputs().length === 0}>
          <p class="muted">This template takes no inputs.</p>
        </Show>
        <For each={inputs()}>
          {(input) => {
            const id = `preset-input-${input.name}`;
            const err = () => errors()[input.name];
            const label = `${input.label}${input.required ? ' *' : ''}`;
            const text = () => {
              const v = values[input.name];
              return typeof v === 'string' ? v : '';
            };
            return (
              <Switch>
                <Match when={controlFor(input.type) === 'checkbox'}>
                  <label class="inline">
                    <input
                      id={id}
                      type="checkbox"
                      checked={values[input.name] === true}
                      onChange={(e) => setValues(input.name, e.currentTarget.checked)}
                      data-testid={id}
                    />
                    {label}
                  </label>
                </Match>
                <Match when={controlFor(input.type) === 'select'}>
                  <Field id={id} label={label} error={err()}>
                    <select
                      id={id}
                      value={text()}
                      onChange={(e) => setValues(input.name, e.currentTarget.value)}
                      data-testid={id}
                      {...describedBy(id, err())}
                    >
                      <Show when={!input.required || !text()}>
                        <option value="">—</option>
                      </Show>
                      <For each={input.options}>{(o) => <option value={o}>{o}</option>}</For>
                    </select>
                  </Field>
                </Match>
                <Match when={controlFor(input.type) === 'textarea'}>
                  <Field
                    id={id}
                    label={label}
                    error={err()}
                    hint={input.type === 'markdown' ? 'markdown' : undefined}
                  >
                    <textarea
                      id={id}
                      rows={4}
                      value={text()}
                      onInput={(e) => setValues(input.name, e.currentTarget.value)}
                      data-testid={id}
                      {...describedBy(id, err())}
                    />
                  </Field>
                </Match>
                <Match when={controlFor(input.type) === 'text'}>
                  <Field
                    id={id}
                    label={label}
                    error={err()}
                    hint={input.type === 'text' ? undefined : input.type.replace('_', ' ')}
                  >
                    <input
                      id={id}
                      value={text()}
                      onInput={(e) => setValues(input.name, e.currentTarget.value)}
                      data-testid={id}
                      {...describedBy(id, err())}
                    />
                  </Field>
                </Match>
              </Switch>
            );
          }}
        </For>
        <fieldset class="apply-mode">
          <legend>Steps</legend>
          <label class="inline">
            <input
              type="radio"
              name="apply-mode"
              checked={mode() === 'append'}
              onChange={() => setMode('append')}
              data-testid="preset-mode-append"
            />
            Append after the form's steps
          </label>
          <label class="inline">
            <input
              type="radio"
              name="apply-mode"
              checked={mode() === 'replace'}
              onChange={() => setMode('replace')}
              data-testid="preset-mode-replace"
            />
            Replace the extra steps (the objective stays)
          </label>
        </fieldset>
        <Show when={failure()}>
          <p class="form-error" role="alert" data-testid="preset-apply-error">
            {failure()}
          </p>
        </Show>
        <div class="dialog-actions">
          <button type="button" class="secondary" onClick={props.onClose} data-testid="preset-apply-cancel">
            Cancel
          </button>
          <button type="submit" disabled={busy() || !apiReachable()} data-testid="preset-apply-confirm">
            {busy() ? 'Expanding…' : 'Apply'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
