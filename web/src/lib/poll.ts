import { createResource, createSignal, onCleanup, type Resource } from 'solid-js';

/** Delay before the next poll: the interval, doubled per consecutive failure, capped at 30 s. */
export const backoffDelay = (intervalMs: number, failures: number) =>
  failures === 0 ? intervalMs : Math.min(30_000, intervalMs * 2 ** failures);

/**
 * `createResource` that refetches every `intervalMs`, pauses while the tab is hidden (and refetches at once
 * when it shows again), backs off on errors, and keeps showing the last good value when a refresh fails
 * (the error is in `error()`, never thrown at the reader).
 */
export function createPolledResource<S, T>(
  source: () => S | false | null | undefined,
  fetcher: (source: S) => Promise<T>,
  intervalMs: number,
): [Resource<T | undefined>, { refetch: () => void; error: () => unknown; mutate: (v: T) => void }] {
  const [error, setError] = createSignal<unknown>(null);
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  const schedule = () => {
    clearTimeout(timer);
    if (disposed) return;
    timer = setTimeout(
      () => {
        if (!document.hidden) void refetch();
      },
      backoffDelay(intervalMs, failures),
    );
  };
  const [resource, { refetch, mutate }] = createResource<T | undefined, S>(source, async (s, info) => {
    try {
      const value = await fetcher(s);
      failures = 0;
      setError(null);
      return value;
    } catch (e) {
      failures++;
      setError(e);
      return info.value;
    } finally {
      schedule();
    }
  });
  const onVisible = () => {
    if (!document.hidden) void refetch();
  };
  document.addEventListener('visibilitychange', onVisible);
  onCleanup(() => {
    disposed = true;
    clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisible);
  });
  return [
    resource,
    {
      refetch: () => void refetch(),
      error,
      mutate: (v: T) => mutate(() => v),
    },
  ];
}
