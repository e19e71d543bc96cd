import type { ArtifactView } from '../../contracts/artifacts.ts';
import type { JobEvent } from '../../contracts/events.ts';
import type { JobView } from '../../contracts/job.ts';
import type { Stack } from './stack.ts';

/** What these helpers need of a system under test: `startStack`'s, or the chaos suite's launcher. */
type ApiUser = Pick<Stack, 'api' | 'logs'>;

/** What a user does through the API, for tests: submit, watch, read events and artifacts. */
export async function submitJob(
  stack: ApiUser,
  payload: Record<string, unknown>,
  envelope: Record<string, unknown> = {},
): Promise<JobView> {
  const res = await stack.api('/api/queue/jobs', {
    method: 'POST',
    json: { type: 'task', payload, ...envelope },
  });
  if (res.status !== 201) throw new Error(`submit answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as JobView;
}

export async function getJob(stack: ApiUser, jobId: string): Promise<JobView> {
  const res = await stack.api(`/api/queue/jobs/${jobId}`);
  if (!res.ok) throw new Error(`GET job answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as JobView;
}

/** Poll the job until `accept` holds (or fail with the last view and recent events). */
export async function waitForJob(
  stack: ApiUser,
  jobId: string,
  accept: (job: JobView) => boolean,
  timeoutMs = 90_000,
): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  let last: JobView | undefined;
  while (Date.now() < deadline) {
    last = await getJob(stack, jobId).catch(() => last);
    if (last && accept(last)) return last;
    await new Promise((r) => setTimeout(r, 300));
  }
  const recent = (await listEvents(stack, jobId).catch(() => []))
    .slice(-15)
    .map((e) => `${e.type}: ${e.message}`);
  throw new Error(
    `job ${jobId} did not get there in ${timeoutMs / 1000} s; last status ${last?.status} stage ${last?.stage}\n${recent.join('\n')}\n--- logs ---\n${stack.logs.slice(-40).join('\n')}`,
  );
}

export const waitForStatus = (stack: ApiUser, jobId: string, status: string | string[], timeoutMs?: number) =>
  waitForJob(stack, jobId, (j) => ([] as string[]).concat(status).includes(j.status), timeoutMs);

export async function listEvents(stack: ApiUser, jobId: string): Promise<JobEvent[]> {
  const all: JobEvent[] = [];
  let after = 0;
  for (;;) {
    const res = await stack.api(`/api/queue/jobs/${jobId}/events?limit=1000&after=${after}`);
    const { items } = (await res.json()) as { items: JobEvent[] };
    all.push(...items);
    if (items.length < 1000) return all;
    after = items[items.length - 1].id;
  }
}

export async function listArtifacts(stack: ApiUser, jobId: string): Promise<ArtifactView[]> {
  const res = await stack.api(`/api/queue/jobs/${jobId}/artifacts`);
  return ((await res.json()) as { items: ArtifactView[] }).items;
}

export async function downloadArtifact(stack: ApiUser, jobId: string, name: string): Promise<string> {
  const artifact = (await listArtifacts(stack, jobId)).find((a) => a.name === name);
  if (!artifact) throw new Error(`no artifact ${name}`);
  const res = await stack.api(`/api/queue/jobs/${jobId}/artifacts/${artifact.id}/download`);
  return res.text();
}
