import { A } from '@solidjs/router';

export function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        <A href="/tasks">Go to active tasks</A>
      </p>
    </section>
  );
}
