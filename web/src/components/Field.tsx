import { type JSX, Show } from 'solid-js';

/** A labelled control with its error (or hint) underneath, wired for screen readers. */
export function Field(props: {
  id: string;
  label: string;
  error?: string;
  hint?: string;
  children: JSX.Element;
}) {
  return (
    <div class="field" classList={{ invalid: !!props.error }}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      <Show when={props.error}>
        <p class="field-error" id={`${props.id}-error`} data-testid={`error-${props.id}`}>
          {props.error}
        </p>
      </Show>
      <Show when={!props.error && props.hint}>
        <p class="hint">{props.hint}</p>
      </Show>
    </div>
  );
}

/** aria attributes for a control inside `Field`. */
export const describedBy = (id: string, error?: string) => ({
  'aria-invalid': error ? ('true' as const) : undefined,
  'aria-describedby': error ? `${id}-error` : undefined,
});
