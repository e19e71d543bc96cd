import { createSignal, onCleanup } from 'solid-js';

/** The current time, ticking each second while `running()` holds (elapsed clocks, durations so far). */
export function createNow(running: () => boolean) {
  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => running() && setNow(Date.now()), 1000);
  onCleanup(() => clearInterval(timer));
  return now;
}
