import { useLocation, useNavigate } from '@solidjs/router';
import { createEffect, type JSX, onCleanup, onMount, Show } from 'solid-js';
import { fetchMe } from '../api/auth.ts';
import { ApiError, setUnauthenticatedHandler } from '../api/client.ts';
import { backoffDelay } from '../lib/poll.ts';
import { session, setSession } from '../lib/session.ts';

/** Every dashboard route: loads the session once, sends signed-out users to /sign-in?next=… */
export function RequireAuth(props: { children?: JSX.Element }) {
  const navigate = useNavigate();
  const location = useLocation();
  const toSignIn = () =>
    navigate(`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
  setUnauthenticatedHandler(() => setSession(null));

  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  const load = async () => {
    try {
      setSession(await fetchMe());
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return setSession(null);
      failures++;
      timer = setTimeout(load, backoffDelay(2000, failures));
    }
  };
  onMount(() => {
    if (session() === undefined) void load();
  });
  onCleanup(() => clearTimeout(timer));
  createEffect(() => {
    if (session() === null) toSignIn();
  });

  return (
    <Show when={session()} fallback={<p class="muted">Checking sign-in…</p>}>
      {props.children}
    </Show>
  );
}
