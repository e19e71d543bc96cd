import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerApiClient, withRetry } from '../../activities/reporting/api-client.ts';
import { EventReporter } from '../../activities/reporting/event-reporter.ts';
import { startWorkerApiReceiver, type WorkerApiReceiver } from './worker-api-receiver.ts';

const TOKEN = 'worker-token-for-tests-0001';
const ghToken = `ghp_${'a1B2c3D4e5'.repeat(4)}`;

let api: WorkerApiReceiver;
let dir: string;
beforeAll(async () => {
  api = await startWorkerApiReceiver();
  dir = await mkdtemp(join(tmpdir(), 'mm-reporting-'));
});
afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

describe('EventReporter', () => {
  it('delivers events in order with increasing seq, batched, authenticated and redacted', async () => {
    const client = new WorkerApiClient(api.url, TOKEN);
    const reporter = new EventReporter({ client, jobId: 'job-a', producer: 'host-1:job-a:1', maxBatch: 50 });
    for (let i = 0; i < 120; i++)
      reporter.emit({ type: 'log', message: `line ${i}`, payload: { kind: 'log', stream: 'stdout' } });
    reporter.emit({
      level: 'warn',
      type: 'log',
      message: `token ${ghToken}`,
      payload: { kind: 'log', nested: { t: ghToken } },
    });
    expect(await reporter.flush()).toBe(true);

    const events = api.events('job-a');
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 121 }, (_, i) => i + 1));
    expect(events[0]).toMatchObject({
      producer: 'host-1:job-a:1',
      type: 'log',
      message: 'line 0',
      level: 'info',
    });
    const last = events[120];
    expect(last.message).toBe('token [REDACTED]');
    expect(JSON.stringify(last.payload)).not.toContain(ghToken);
    const posts = api.requests.filter((r) => r.path === '/api/worker/jobs/job-a/events');
    expect(posts.length).toBeGreaterThanOrEqual(3); // 121 events in batches of at most 50
    expect(posts.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('keeps events through an API outage and delivers them all, in order, once it is back', async () => {
    const client = new WorkerApiClient(api.url, TOKEN);
    const reporter = new EventReporter({
      client,
      jobId: 'job-b',
      producer: 'host-1:job-b:2',
      flushIntervalMs: 20,
    });
    api.unavailable(3);
    for (let i = 1; i <= 10; i++) reporter.emit({ type: 'task.step.started', message: `event ${i}` });
    expect(await reporter.flush(20_000)).toBe(true);
    for (let i = 11; i <= 15; i++) reporter.emit({ type: 'task.step.started', message: `event ${i}` });
    await reporter.close();
    const events = api.events('job-b');
    expect(events.map((e) => e.message)).toEqual(Array.from({ length: 15 }, (_, i) => `event ${i + 1}`));
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
  });

  it('flush reports false while the API stays down, and the events still arrive later', async () => {
    const client = new WorkerApiClient(api.url, TOKEN);
    const reporter = new EventReporter({
      client,
      jobId: 'job-c',
      producer: 'h:job-c:1',
      flushIntervalMs: 20,
    });
    api.unavailable(1_000);
    reporter.emit({ type: 'x', message: 'kept' });
    expect(await reporter.flush(300)).toBe(false);
    api.unavailable(0);
    expect(await reporter.flush(20_000)).toBe(true);
    expect(api.events('job-c').map((e) => e.message)).toEqual(['kept']);
  });
});

describe('artifact upload', () => {
  it('streams the file with its content type and redacts token-like text', async () => {
    const file = join(dir, 'step.log');
    await writeFile(file, `hello\npushing with ${ghToken} now\nbye`);
    const client = new WorkerApiClient(api.url, TOKEN);
    await withRetry(
      () => client.putArtifact('job-d', 'logs/steps/step-0001.log', file, 'text/plain; charset=utf-8'),
      {
        attempts: 3,
      },
    );
    const stored = api.artifacts.get('job-d/logs/steps/step-0001.log');
    expect(stored?.contentType).toBe('text/plain; charset=utf-8');
    expect(stored?.body).toBe('hello\npushing with [REDACTED] now\nbye');
  });

  it('retries an upload through a short outage', async () => {
    const file = join(dir, 'ctx.json');
    await writeFile(file, '{"a":1}\n');
    const client = new WorkerApiClient(api.url, TOKEN);
    api.unavailable(2);
    await withRetry(() => client.putArtifact('job-e', 'task_context.json', file, 'application/json'), {
      attempts: 5,
      baseMs: 20,
    });
    expect(api.artifacts.get('job-e/task_context.json')?.body).toBe('{"a":1}\n');
  });
});
