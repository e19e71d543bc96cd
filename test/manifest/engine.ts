import { randomBytes, randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { defaultManifestParts } from '../../activities/manifest/default-parts.ts';
import { createManifestActivities } from '../../activities/manifest/index.ts';
import { storeFor } from '../../activities/manifest/stores/index.ts';
import { hostTaskQueue } from '../../contracts/job.ts';
import {
  MANIFEST_RUN_WORKFLOW,
  type ManifestOptions,
  type ManifestRunInput,
  manifestCapabilities,
} from '../../contracts/manifest.ts';
import { parseManifest } from '../../contracts/manifest-parse.ts';

import { manifestRunStartOptions } from '../../contracts/start-options.ts';
import { manifestHash } from '../../lib/manifest-hash.ts';

import { buildWorkflowBundle, startControlWorker } from '../../workers/control.ts';
import { createTestDatabase } from '../support/db.ts';
import { terminateOpenRuns, testTemporal } from '../support/temporal.ts';

/**
 * The manifest engine on real parts: Temporal, PostgreSQL (checkpoints, events), the control worker, and an
 * in-process capability worker claiming `manifest` with the real readers, splitter, embedder client and the
 * embedded PGlite+pgvector store. Artifacts land in a directory (the API's artifact route is the API's test).
 */
/** Temporal + a fresh database + the control worker (test/workflows/harness.ts's, usable outside vitest). */
async function startWorkflowEnv(services?: {
  temporalAddress: string;
  adminDatabaseUrl: string;
  namespace: string;
}) {
  const db = await createTestDatabase(services?.adminDatabaseUrl);
  const { client, connection, namespace, address } = await testTemporal(
    services?.temporalAddress,
    services?.namespace,
  );
  await terminateOpenRuns(client);
  const native = await NativeConnection.connect({ address });
  const bundle = await buildWorkflowBundle();
  const control = await startControlWorker({ connection: native, namespace, sql: db.sql, client, bundle });
  return {
    sql: db.sql,
    client,
    native,
    namespace,
    bundle,
    async stop() {
      await terminateOpenRuns(client).catch(() => {});
      await control.shutdown();
      await native.close();
      await connection.close();
      await db.drop();
    },
  };
}

const unique = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;

export async function startManifestEngine(services?: {
  temporalAddress: string;
  adminDatabaseUrl: string;
  namespace: string;
}) {
  const env = await startWorkflowEnv(services);
  const root = await mkdtemp(path.join(os.tmpdir(), 'mm-manifest-'));
  const dataDir = path.join(root, 'data');
  const artifactsDir = path.join(root, 'artifacts');
  const pool = unique('manifest');
  const hostId = unique('host');
  const hostQueue = hostTaskQueue(hostId);
  const storeSettings = { dataDir };
  const secret = async (ref: string) => {
    throw new Error(`no secrets in these tests (${ref})`);
  };
  const activities = createManifestActivities({
    config: { MOONMIND_WORKSPACE_DIR: path.join(root, 'workspaces'), MOONMIND_WORKER_POOL: pool },
    hostId,
    hostQueue,
    api: {
      async putArtifact(jobId, name, filePath) {
        await mkdir(path.join(artifactsDir, jobId), { recursive: true });
        await copyFile(filePath, path.join(artifactsDir, jobId, name));
      },
    },
    parts: defaultManifestParts(
      { MOONMIND_DATA_DIR: dataDir, MOONMIND_VECTOR_DATABASE_URL: undefined },
      secret,
    ),
    secrets: { resolve: secret },
  });
  const { claimManifest, ...stages } = activities;
  const workers = [
    await Worker.create({
      connection: env.native,
      namespace: env.namespace,
      taskQueue: `moonmind-pool-${pool}`,
      activities: { claimManifest },
    }),
    await Worker.create({
      connection: env.native,
      namespace: env.namespace,
      taskQueue: hostQueue,
      activities: stages,
      maxHeartbeatThrottleInterval: '250 milliseconds',
    }),
  ];
  const running = workers.map((w) => w.run());
  let registered = false;

  return {
    ...env,
    root,
    artifactsDir,
    /** Starts a manifest run the way the queue routes do (the job as the server normalizes it). */
    async start(content: string, action: 'plan' | 'run' = 'run', options: ManifestOptions = {}) {
      const parsed = parseManifest(content);
      if (!parsed.ok) throw new Error(`bad test manifest: ${JSON.stringify(parsed.issues)}`);
      const m = parsed.manifest;
      const requiredCapabilities = manifestCapabilities(m);
      if (!registered) {
        await env.sql`
          INSERT INTO worker_pools (task_queue, pool, capabilities, job_types, repositories)
          VALUES (${`moonmind-pool-${pool}`}, ${pool}, ${requiredCapabilities}, ${['manifest']}, ${['*']})`;
        registered = true;
      }
      const jobId = randomUUID();
      const input: ManifestRunInput = {
        jobId,
        job: {
          name: m.metadata.name,
          action,
          manifest: m,
          content,
          manifestHash: manifestHash(m),
          manifestVersion: 'v0',
          options,
          requiredCapabilities,
          secretRefs: parsed.secretRefs,
          source: { kind: 'inline', content },
        },
        envelope: { priority: 0, maxAttempts: 1, affinityKey: null },
        submittedBy: { id: randomUUID(), name: 'tester' },
        submittedAt: new Date().toISOString(),
      };
      const handle: WorkflowHandle = await env.client.workflow.start(
        MANIFEST_RUN_WORKFLOW,
        manifestRunStartOptions(input),
      );
      return { jobId, handle, input };
    },
    /** Points in the manifest's index (optionally of one document). */
    async count(content: string, filter?: { dataSourceId?: string; sourceDocId?: string }) {
      const parsed = parseManifest(content);
      if (!parsed.ok) throw new Error('bad test manifest');
      const store = await storeFor(parsed.manifest, storeSettings);
      try {
        return await store.count(filter);
      } finally {
        await store.close();
      }
    },
    async stop() {
      for (const w of workers) w.shutdown();
      await Promise.allSettled(running);
      await env.stop();
    },
  };
}
export type ManifestEngine = Awaited<ReturnType<typeof startManifestEngine>>;

/** A manifest over a local directory, embedded by the double (OpenAI-compatible) into the embedded pgvector. */
export function directoryManifest(opts: { name: string; dir: string; embedUrl: string; chunkSize?: number }) {
  return `version: "v0"
metadata:
  name: ${opts.name}
embeddings:
  provider: openai
  model: double-embed
  dimensions: 64
  batchSize: 32
  baseUrl: ${opts.embedUrl}/v1
vectorStore:
  type: pgvector
  indexName: ${opts.name.replaceAll('-', '_')}
  allowCreateCollection: true
dataSources:
  - id: docs
    type: SimpleDirectoryReader
    params:
      path: ${opts.dir}
transforms:
  splitter:
    type: TokenTextSplitter
    chunkSize: ${opts.chunkSize ?? 256}
    chunkOverlap: 16
run:
  concurrency: 2
security:
  allowlistMetadata: [path]
`;
}
