import { createWorkerToken } from '../../api/auth/bootstrap.ts';
import type { EventInput } from '../../contracts/events.ts';
import type { Stack } from './stack.ts';

/**
 * A run that has printed a long log, for the run page's tests and benchmark: a queued run (no worker takes
 * it) whose events are appended through the worker events route, as a worker's would be.
 */
export async function seededRun(stack: Stack, repository: string) {
  const created = await stack.api('/api/queue/jobs', {
    method: 'POST',
    json: { type: 'task', payload: { repository, task: { instructions: `log of ${repository}` } } },
  });
  if (created.status !== 201) throw new Error(`submit ${created.status}: ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  const token = await createWorkerToken(stack.db.sql, {
    name: `seed-${repository}`,
    jobTypes: ['task'],
    repositories: ['*'],
    capabilities: ['*'],
    scopes: [],
  });
  let seq = 0;
  const post = async (events: Omit<EventInput, 'seq'>[]) => {
    for (let i = 0; i < events.length; i += 1000) {
      const batch = events.slice(i, i + 1000).map((e) => ({ ...e, seq: seq++ }));
      const res = await fetch(`${stack.apiUrl}/api/worker/jobs/${id}/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ producer: 'seed', events: batch }),
      });
      if (!res.ok) throw new Error(`append ${res.status}: ${await res.text()}`);
    }
  };
  return {
    id,
    /** Append events in batches of 1,000. */
    post,
    /** Append `count` stdout lines, `line(n)` for the n-th. */
    lines: (count: number, line: (n: number) => string = (n) => `compiling module ${n} of the workspace`) =>
      post(
        Array.from({ length: count }, (_, n) => ({
          type: 'log',
          message: line(n),
          payload: { kind: 'log', stream: 'stdout' },
        })),
      ),
  };
}

/** The events a run's start writes: prepare done, execute started, one step planned and started. */
export const startedStages = (title = 'Build'): Omit<EventInput, 'seq'>[] => [
  { type: 'moonmind.task.prepare.started', message: 'prepare started' },
  { type: 'moonmind.task.prepare.finished', message: 'prepare finished' },
  { type: 'moonmind.task.execute.started', message: 'execute started' },
  { type: 'task.steps.plan', message: 'plan', payload: { stepIds: ['build'] } },
  { type: 'task.step.started', message: 'step started', payload: { stepIndex: 0, stepId: 'build', title } },
];
