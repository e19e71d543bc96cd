import { createEffect, onCleanup, Show } from 'solid-js';
import { apiReachable, request } from '../api/client.ts';

/** Shown while the API cannot be reached; probes /healthz every 3 s so it clears on any page. */
export function ApiBanner() {
  let timer: ReturnType<typeof setInterval> | undefined;
  createEffect(() => {
    clearInterval(timer);
    if (!apiReachable())
      timer = setInterval(() => void request('GET', '/healthz').catch(() => undefined), 3000);
  });
  onCleanup(() => clearInterval(timer));
  return (
    <Show when={!apiReachable()}>
      <div class="banner" role="alert" data-testid="api-banner">
        Cannot reach the MoonMind API — retrying
      </div>
    </Show>
  );
}
