import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eligiblePools } from '../../activities/control-plane/eligibility.ts';
import { createControlPlaneActivities } from '../../activities/control-plane/index.ts';
import type { FindPoolInput } from '../../contracts/activities.ts';
import { repositoryMatches } from '../../contracts/repository.ts';
import { waitFor } from '../../scripts/ports.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { testTemporal } from '../support/temporal.ts';
import { type CapabilityDouble, startCapabilityDouble } from './capability-worker-double.ts';
import { events, quietTemporalLogs, registerPool, unique } from './harness.ts';

describe('eligibility', () => {
  it('matches repository patterns case-insensitively across URL forms', () => {
    expect(repositoryMatches('*', 'acme/app')).toBe(true);
    expect(repositoryMatches('Acme/*', 'acme/app')).toBe(true);
    expect(repositoryMatches('acme/*', 'https://github.com/ACME/app.git', 'github.com')).toBe(true);
    expect(repositoryMatches('acme/app', 'git@github.com:acme/App.git', 'github.com')).toBe(true);
    // The host is part of the match: acme/* is the default forge's acme, not anyone's.
    expect(repositoryMatches('acme/*', 'https://evil.example/acme/widgets', 'github.com')).toBe(false);
    expect(repositoryMatches('git.corp.example/acme/*', 'https://git.corp.example/acme/w')).toBe(true);
    expect(repositoryMatches('git.corp.example/acme/*', 'acme/w')).toBe(false);
    expect(repositoryMatches('acme/*', 'acme-labs/app')).toBe(false);
    expect(repositoryMatches('acme/app', 'acme/app2')).toBe(false);
  });

  it('names the capabilities the closest pool lacks', () => {
    const pools = [
      { taskQueue: 'q1', pool: 'a', capabilities: ['git'], jobTypes: ['task'], repositories: ['*'] },
      { taskQueue: 'q2', pool: 'b', capabilities: ['Codex', 'git'], jobTypes: ['task'], repositories: ['*'] },
    ];
    const job = { jobType: 'task', repository: 'acme/app', requiredCapabilities: ['codex', 'gh', 'git'] };
    expect(eligiblePools(pools, job).reason).toBe('no worker serves gh for acme/app');
    expect(
      eligiblePools(pools, { ...job, requiredCapabilities: ['codex', 'git'] }).eligible.map((p) => p.pool),
    ).toEqual(['b']);
    expect(eligiblePools(pools, { ...job, jobType: 'manifest' }).reason).toBe(
      'no worker pool is registered for manifest jobs on acme/app (needs codex+gh+git)',
    );
  });
});

describe('control-plane activities (real Temporal and PostgreSQL)', () => {
  let db: TestDatabase;
  let client: Client;
  let native: NativeConnection;
  let namespace: string;
  let close: () => Promise<void>;
  const doubles: CapabilityDouble[] = [];

  beforeAll(async () => {
    quietTemporalLogs();
    db = await createTestDatabase();
    const t = await testTemporal();
    ({ client, namespace } = t);
    native = await NativeConnection.connect({ address: t.address });
    close = () => t.connection.close();
  });
  afterAll(async () => {
    await Promise.all(doubles.map((d) => d.stop()));
    await native?.close();
    await close?.();
    await db?.drop();
  });

  const livePool = async (repositories: string[]) => {
    const pool = unique('pool');
    await registerPool(db.sql, { pool, capabilities: ['codex', 'git'], repositories });
    doubles.push(await startCapabilityDouble({ connection: native, namespace, pool, hosts: [] }));
    // Routing reads pollers from Temporal; a worker's first poll shows up there a moment after it starts.
    await waitFor(
      `pollers on ${pool}`,
      async () => {
        const { pollers } = await client.workflowService.describeTaskQueue({
          namespace,
          taskQueue: { name: `moonmind-pool-${pool}`, kind: 1 },
          taskQueueType: 2,
        });
        return (pollers ?? []).length > 0;
      },
      20_000,
    );
    return pool;
  };

  it('routes to a live eligible pool, avoids pools that failed the run, and keeps affinity keys', async () => {
    const owner = unique('owner');
    const [first, second] = [await livePool([`${owner}/*`]), await livePool([`${owner}/*`])].sort();
    const { findPool } = createControlPlaneActivities({ sql: db.sql, client });
    const job: FindPoolInput = {
      jobId: randomUUID(),
      jobType: 'task',
      repository: `${owner}/app`,
      requiredCapabilities: ['codex', 'git'],
      affinityKey: null,
    };
    expect(await findPool(job)).toEqual({ taskQueue: `moonmind-pool-${first}`, pool: first });

    // A pool that failed this run is used only when nothing else is live.
    expect(await findPool({ ...job, avoidTaskQueues: [`moonmind-pool-${first}`] })).toMatchObject({
      pool: second,
    });
    const both = [`moonmind-pool-${first}`, `moonmind-pool-${second}`];
    expect(await findPool({ ...job, avoidTaskQueues: both })).toMatchObject({ pool: first });

    await db.sql`INSERT INTO pool_affinity (affinity_key, task_queue) VALUES ('feature-x', ${`moonmind-pool-${second}`})`;
    expect(await findPool({ ...job, affinityKey: 'feature-x' })).toMatchObject({ pool: second });
    expect(await findPool({ ...job, affinityKey: 'feature-y' })).toMatchObject({ pool: first });
    const [row] = await db.sql`SELECT task_queue FROM pool_affinity WHERE affinity_key = 'feature-y'`;
    expect(row.task_queue).toBe(`moonmind-pool-${first}`);
  });

  it('counts a full pool (no pool-queue pollers) as serving while its hosts poll their own queues', async () => {
    const owner = unique('owner');
    const host = unique('host');
    // The double serves the host queue; nothing polls the registered pool queue (all run slots taken).
    doubles.push(
      await startCapabilityDouble({ connection: native, namespace, pool: unique('other'), hosts: [host] }),
    );
    const full = unique('full');
    const hosts = { [host]: { hostQueue: `moonmind-host-${host}` } };
    await db.sql`
      INSERT INTO worker_pools (task_queue, pool, capabilities, job_types, repositories, hosts)
      VALUES (${`moonmind-pool-${full}`}, ${full}, ${['codex', 'git']}, ${['task']}, ${[`${owner}/*`]}, ${db.sql.json(hosts)})`;
    const { findPool } = createControlPlaneActivities({ sql: db.sql, client });
    const job: FindPoolInput = {
      jobId: randomUUID(),
      jobType: 'task',
      repository: `${owner}/app`,
      requiredCapabilities: ['git'],
      affinityKey: null,
    };
    expect(await findPool(job)).toEqual({ taskQueue: `moonmind-pool-${full}`, pool: full });

    await db.sql`UPDATE worker_pools SET hosts = '{}'::jsonb WHERE pool = ${full}`;
    expect(await findPool(job)).toEqual({
      reason: `worker pool ${full} is registered for ${owner}/app but no worker is polling`,
    });
  });

  it('records a batch once even when the activity is retried, redacted, and notifies listeners', async () => {
    const { recordEvents } = createControlPlaneActivities({ sql: db.sql, client });
    const jobId = randomUUID();
    const notified: string[] = [];
    const listener = await db.sql.listen('job_events', (payload) => notified.push(payload));
    const env = new MockActivityEnvironment({
      workflowExecution: { workflowId: `job-${jobId}`, runId: 'run-1' },
    });
    const batch = {
      jobId,
      firstSeq: 0,
      events: [
        { type: 'run.queued', message: 'waiting', payload: { reason: 'no pool' } },
        {
          type: 'control.operator_message',
          message: 'from bob',
          payload: { message: `key ghp_${'abcdefghijklmnopqrstuvwxyz0123456789'}` },
        },
      ],
    };
    await env.run(recordEvents, batch);
    await env.run(recordEvents, batch);
    await env.run(recordEvents, { jobId, firstSeq: 2, events: [{ type: 'run.finished', message: 'done' }] });
    const stored = await events(db.sql, jobId);
    expect(stored.map((e) => [e.type, e.payload])).toEqual([
      ['run.queued', { reason: 'no pool' }],
      ['control.operator_message', { message: 'key [REDACTED]' }],
      ['run.finished', {}],
    ]);
    // One notification per batch that stored something (the repeated batch stored nothing).
    await expect.poll(() => notified.length).toBe(2);
    expect(new Set(notified)).toEqual(new Set([jobId]));
    await listener.unlisten();
  });
});
