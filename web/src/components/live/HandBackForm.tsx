import { createSignal } from 'solid-js';
import { handBackBodySchema, type LiveSessionView } from '../../../../contracts/live-session.ts';
import { ApiError } from '../../api/client.ts';
import { handBack } from '../../api/live-session.ts';
import { errorMessage } from '../../lib/format.ts';
import { canMutate } from '../../lib/session.ts';
import { describedBy, Field } from '../Field.tsx';

const MAX = 4_000;

/** After my takeover: what I changed goes to the run's next prompt, and the run resumes. */
export function HandBackForm(props: { jobId: string; onView: (view: LiveSessionView) => void }) {
  const [summary, setSummary] = createSignal('');
  const [error, setError] = createSignal<string | undefined>();
  const [failure, setFailure] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  let field!: HTMLTextAreaElement;

  const submit = async (ev: SubmitEvent) => {
    ev.preventDefault();
    setFailure(null);
    const invalid = (message: string) => {
      setError(`"What did you change?" ${message}`);
      field.focus();
    };
    // The contract's own rule, so the message matches what the API would answer.
    const parsed = handBackBodySchema.safeParse({ summary: summary() });
    if (!parsed.success) return invalid(parsed.error.issues[0]?.message ?? 'is invalid');
    setError(undefined);
    setBusy(true);
    try {
      props.onView(await handBack(props.jobId, parsed.data.summary));
      setSummary('');
    } catch (e) {
      const issue = e instanceof ApiError ? e.issues.find((i) => i.path === 'summary') : undefined;
      if (issue) invalid(issue.message);
      else setFailure(`Hand back failed: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="hand-back" onSubmit={submit} noValidate data-testid="hand-back-form">
      <Field
        id="hand-back-summary"
        label="What did you change?"
        error={error()}
        hint={`Goes to the agent's next prompt. ${summary().length.toLocaleString('en-US')}/${MAX.toLocaleString('en-US')}`}
      >
        <textarea
          ref={field}
          id="hand-back-summary"
          rows={3}
          maxLength={MAX}
          value={summary()}
          onInput={(e) => setSummary(e.currentTarget.value)}
          {...describedBy('hand-back-summary', error())}
        />
      </Field>
      <button type="submit" disabled={busy() || !canMutate()} data-testid="hand-back">
        Hand back
      </button>
      <p class="control-result error-text" role="status">
        {failure() ?? ''}
      </p>
    </form>
  );
}
