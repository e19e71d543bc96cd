import { useNavigate, useSearchParams } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { signIn } from '../api/auth.ts';
import { ApiError } from '../api/client.ts';
import { errorMessage } from '../lib/format.ts';
import { safeNext, setSession } from '../lib/session.ts';

/** Sign in with a user API token; the API answers with a session cookie and a CSRF token. */
export function SignIn() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [token, setToken] = createSignal('');
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);

  const submit = async (ev: SubmitEvent) => {
    ev.preventDefault();
    if (!token().trim()) return setError('Enter your API token');
    setBusy(true);
    setError(null);
    try {
      setSession(await signIn(token().trim()));
      setToken('');
      navigate(safeNext(typeof params.next === 'string' ? params.next : null), { replace: true });
    } catch (e) {
      setError(e instanceof ApiError && e.status === 401 ? 'That token was not accepted' : errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="narrow">
      <h1>Sign in</h1>
      <form onSubmit={submit} class="stack" data-testid="sign-in-form">
        <label for="token">API token</label>
        <input
          id="token"
          type="password"
          autocomplete="off"
          value={token()}
          onInput={(e) => setToken(e.currentTarget.value)}
          aria-invalid={error() ? 'true' : undefined}
          aria-describedby="token-error"
          data-testid="token-input"
        />
        <Show when={error()}>
          <p id="token-error" class="field-error" role="alert">
            {error()}
          </p>
        </Show>
        <button type="submit" disabled={busy()} data-testid="sign-in-submit">
          {busy() ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}
