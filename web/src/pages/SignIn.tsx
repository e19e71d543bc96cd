import { useNavigate, useSearchParams } from '@solidjs/router';
import { createResource, createSignal, Show } from 'solid-js';
import { fetchProviders, oidcLoginHref, signIn } from '../api/auth.ts';
import { ApiError } from '../api/client.ts';
import { errorMessage } from '../lib/format.ts';
import { safeNext, setSession } from '../lib/session.ts';

/** Why a provider sign-in came back here (`?error=oidc_<reason>`, set by the API's callback). */
const oidcErrors: Record<string, string> = {
  oidc_unavailable: 'Signing in with your identity provider is not available right now. Try again later.',
  oidc_state: 'That sign-in expired or was not started from this page. Please try again.',
  oidc_denied: 'Your identity provider did not sign you in.',
  oidc_exchange: 'Your identity provider did not confirm the sign-in. Please try again.',
  oidc_token: 'The answer from your identity provider could not be verified. Please try again.',
  oidc_role: 'Your account has no MoonMind role. Ask an administrator for access.',
  oidc_disabled: 'Your MoonMind account is disabled. Ask an administrator.',
};

/**
 * Sign in with a user API token (the API answers with a session cookie and a CSRF token), or, when the API
 * offers it, with the configured OIDC provider (a full-page redirect dance that ends back on `next`).
 */
export function SignIn() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [token, setToken] = createSignal('');
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  // Without the providers answer the token form still works; the provider button just stays hidden.
  const [providers] = createResource(() => fetchProviders().catch(() => null));
  const next = () => safeNext(typeof params.next === 'string' ? params.next : null);
  const providerError = () =>
    typeof params.error === 'string'
      ? (oidcErrors[params.error] ?? 'Signing in with your identity provider failed. Please try again.')
      : null;

  const submit = async (ev: SubmitEvent) => {
    ev.preventDefault();
    if (!token().trim()) return setError('Enter your API token');
    setBusy(true);
    setError(null);
    try {
      setSession(await signIn(token().trim()));
      setToken('');
      navigate(next(), { replace: true });
    } catch (e) {
      setError(e instanceof ApiError && e.status === 401 ? 'That token was not accepted' : errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="narrow">
      <h1>Sign in</h1>
      <Show when={providerError()}>
        <p class="field-error" role="alert" data-testid="oidc-error">
          {providerError()}
        </p>
      </Show>
      <Show when={providers()?.oidc.login ? providers()?.oidc.name : null}>
        {(name) => (
          <p>
            {/* rel=external: a real page load (the router would otherwise handle the click in the app). */}
            <a class="button" href={oidcLoginHref(next())} rel="external" data-testid="oidc-sign-in">
              Sign in with {name()}
            </a>
          </p>
        )}
      </Show>
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
