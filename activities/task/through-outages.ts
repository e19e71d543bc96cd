/**
 * A host activity's result is only returned once Temporal can take it. The SDK retries a completion for
 * seconds, not minutes: a step that ends while the server is down would be lost, time out and run again in
 * a new attempt. So the end waits (up to the worker's outage grace) until the server answers.
 */
export function throughOutages<A extends unknown[], R>(
  activity: (...args: A) => Promise<R>,
  reachable: () => Promise<boolean>,
  graceMs: number,
  log?: (level: 'info' | 'warn', message: string) => void,
): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await activity(...args);
    } finally {
      const since = Date.now();
      let waited = false;
      while (!(await reachable()) && Date.now() - since < graceMs) {
        if (!waited) log?.('warn', 'Temporal is unreachable: holding an activity result until it is back');
        waited = true;
        await new Promise((r) => setTimeout(r, 1_000));
      }
      if (waited) log?.('info', `Temporal answered again after ${Math.round((Date.now() - since) / 1000)} s`);
    }
  };
}
