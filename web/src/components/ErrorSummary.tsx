import { For, Show } from 'solid-js';
import { type FieldErrors, fieldTarget } from '../lib/task-form.ts';

/**
 * Every problem of a submission at the top of the form, each linking to its field: a long form's errors
 * are otherwise found by scrolling.
 */
export function ErrorSummary(props: {
  errors: FieldErrors;
  /** Fields beyond the task form's (a schedule's `name`, `spec.cron`, …): their labels and element ids. */
  targets?: Record<string, { label: string; id: string }>;
  /** What the form submits: "the task" unless said. */
  subject?: string;
}) {
  const entries = () => Object.entries(props.errors).filter(([key]) => key !== '_form');
  const focus = (ev: MouseEvent, id: string) => {
    ev.preventDefault();
    const el = document.getElementById(id);
    el?.scrollIntoView({ block: 'center' });
    el?.focus();
  };
  return (
    <Show when={entries().length > 0}>
      <div class="error-summary" role="alert" data-testid="error-summary">
        <p>
          {entries().length === 1 ? 'One problem' : `${entries().length} problems`} to fix before{' '}
          {props.subject ?? 'the task'} can be submitted:
        </p>
        <ul>
          <For each={entries()}>
            {([key, message]) => {
              const target = props.targets?.[key] ?? fieldTarget(key);
              return (
                <li>
                  <Show when={target.id} fallback={`${target.label}: ${message}`}>
                    {(id) => (
                      <a href={`#${id()}`} onClick={(e) => focus(e, id())} data-testid={`summary-${key}`}>
                        {target.label}: {message}
                      </a>
                    )}
                  </Show>
                </li>
              );
            }}
          </For>
        </ul>
      </div>
    </Show>
  );
}
