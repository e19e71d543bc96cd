import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { pino } from 'pino';
import { defaultManifestParts } from '../activities/manifest/default-parts.ts';
import { createManifestActivities } from '../activities/manifest/index.ts';
import type { ManifestParts } from '../activities/manifest/parts.ts';
import { createOrchestratorActivities } from '../activities/orchestrator/index.ts';
import { ApiError, sleep, WorkerApiClient } from '../activities/reporting/api-client.ts';
import { AgentSandbox } from '../activities/runtimes/sandbox.ts';
import { secretsOf } from '../activities/task/deps.ts';
import { createTaskActivities, RunSlots } from '../activities/task/index.ts';
import type { LeaseOwner } from '../activities/task/run-slots.ts';
import { removeWorkspace, sweepWorkspaces } from '../activities/task/workspace-retention.ts';
import { loadWorkerConfig, type WorkerConfig } from '../contracts/config.ts';
import { hostTaskQueue, poolTaskQueue, workflowIdFor } from '../contracts/job.ts';
import { ORCHESTRATOR_JOB_TYPE } from '../contracts/orchestrator-run.ts';
import { isTerminal } from '../contracts/status.ts';
import { startMetricsServer } from '../lib/metrics/serve.ts';
import { workerRegistry } from '../lib/metrics/worker.ts';
import { loadServiceProfiles } from '../lib/service-profiles.ts';
import { installTemporalRuntime } from '../lib/temporal-runtime.ts';
import { activityInterceptors, clientInterceptors } from '../lib/temporal-tracing.ts';
import { flushTracing, startTracing, traceLogFields } from '../lib/tracing.ts';
import { stateQuery } from '../workflows/messages.ts';
import { verifyCapabilities } from './capabilities.ts';
import { failOverDeadAttempts, findDeadAttempts } from './dead-attempts.ts';
import { handBackAttempts } from './hand-back.ts';
import { claimWorkspaceDir, stableHostId } from './host-id.ts';
import { startHostPings } from './host-pings.ts';
import { runSlotSupplier } from './slot-supplier.ts';

export interface CapabilityWorkerOptions {
  /** Default process.env: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and the workerConfigSchema settings. */
  env?: NodeJS.ProcessEnv;
  /** Default loadWorkerConfig(env). */
  config?: WorkerConfig;
  /** Default a new connection to TEMPORAL_ADDRESS (closed on shutdown). */
  connection?: NativeConnection;
  namespace?: string;
  /** Default MOONMIND_WORKER_HOST_ID, else stable for this machine, pool and workspace dir. */
  hostId?: string;
  /** A run slot whose attempt sends no host activity for this long is freed (default 60 s). */
  leaseMs?: number;
  /** Register with the API before polling (default true). */
  register?: boolean;
  logger?: pino.Logger;
  /** The readers, transforms, embedders and stores of manifest runs (tests hand in their own wiring). */
  manifestParts?: ManifestParts;
}

export interface CapabilityWorker {
  hostId: string;
  hostQueue: string;
  poolQueue: string;
  capabilities: string[];
  shutdown(): Promise<void>;
}

/**
 * A capability worker: checks what it can really do, registers with the API, then serves its pool queue
 * (`prepare`, polled only while a run slot is free) and its own host queue (the rest of each attempt).
 */
export async function startCapabilityWorker(
  options: CapabilityWorkerOptions = {},
): Promise<CapabilityWorker> {
  const env = options.env ?? process.env;
  const config = options.config ?? loadWorkerConfig(env);
  const log = options.logger ?? workerLogger(env);
  // A bad service profiles file stops start here, naming the file and the path, not the first run.
  const profiles = loadServiceProfiles(config.MOONMIND_SERVICE_PROFILES);
  // Before the client and the workers, which take its interceptors only while it is on.
  startTracing('moonmind-worker', config);
  const pool = config.MOONMIND_WORKER_POOL ?? 'default';
  const workspaceDir = resolve(config.MOONMIND_WORKSPACE_DIR);
  const hostId = options.hostId ?? config.MOONMIND_WORKER_HOST_ID ?? stableHostId(pool, workspaceDir);
  const poolQueue = poolTaskQueue(pool);
  const hostQueue = hostTaskQueue(hostId);
  const identity = `${pool}@${hostname()}/${hostId}`;
  const stopping = new AbortController();

  const sandbox = await AgentSandbox.open({
    user: config.MOONMIND_AGENT_USER,
    workspaceDir: config.MOONMIND_WORKSPACE_DIR,
    log: (level, message) => log[level](message),
  });
  // After the sandbox made the workspace dir (with the modes the agent user needs).
  await claimWorkspaceDir(workspaceDir);
  const checked = await verifyCapabilities(config, env, sandbox.user);
  for (const r of checked.rejected)
    log.warn({ capability: r.capability }, `not advertising ${r.capability}: ${r.reason}`);
  if (checked.verified.length === 0)
    throw new Error('this worker can back none of its configured capabilities');

  const api = new WorkerApiClient(config.MOONMIND_API_URL, config.MOONMIND_WORKER_TOKEN);

  const ownConnection = !options.connection;
  const connection =
    options.connection ??
    (await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS ?? 'localhost:7233' }));
  const namespace = options.namespace ?? env.TEMPORAL_NAMESPACE ?? 'default';
  const client = new Client({ connection, namespace, interceptors: clientInterceptors() });
  const slots = new RunSlots(config.MOONMIND_WORKER_CONCURRENCY, options.leaseMs ?? 60_000, (owner) =>
    attemptStillHere(client, hostId, owner),
  );
  // Runs this host was running when it died (it restarted) retry at once, and their workspaces go.
  const inUse = async (root: string) => slots.held.includes(root) || (await sandbox.heldByLiveWorker(root));
  await failOverDeadAttempts(
    client,
    hostId,
    await findDeadAttempts(workspaceDir, inUse),
    (root) => sandbox.killLeftovers(root),
    (level, message) => log[level](message),
  );
  // Disk stays bounded: kept workspaces past their retention, and leftovers of a crashed worker, go.
  const retentionMs = config.MOONMIND_WORKSPACE_RETENTION_HOURS * 3_600_000;
  const sweep = () =>
    sweepWorkspaces(workspaceDir, retentionMs, inUse).then(
      (removed) => {
        if (removed.length) log.info({ removed: removed.length }, 'removed workspaces past their retention');
      },
      (err: Error) => log.warn(`workspace sweep failed: ${err.message}`),
    );
  await sweep();
  const sweeper = setInterval(sweep, Math.min(10 * 60_000, Math.max(1_000, retentionMs / 2)));
  sweeper.unref();
  const activities = createTaskActivities({
    config,
    hostId,
    hostQueue,
    api,
    slots,
    sandbox,
    capabilities: checked.verified,
    env,
    log: (level, message) => log[level](message),
    temporalReachable: () =>
      connection
        .withDeadline(Date.now() + 2_000, () => connection.workflowService.getSystemInfo({}))
        .then(
          () => true,
          () => false,
        ),
  });
  // Orchestrator runs (spec 08) only where the job type is claimed and the capability verified.
  const orchestrator =
    config.MOONMIND_WORKER_JOB_TYPES.includes(ORCHESTRATOR_JOB_TYPE) &&
    checked.verified.includes(ORCHESTRATOR_JOB_TYPE)
      ? createOrchestratorActivities({
          config,
          hostId,
          hostQueue,
          api,
          sandbox,
          env,
          profiles,
          runtime: config.MOONMIND_ORCHESTRATOR_RUNTIME,
          log: (level, message) => log[level](message),
        })
      : null;
  // Manifest runs (spec 07) likewise: the job type claimed and `manifest` verified.
  const manifest =
    config.MOONMIND_WORKER_JOB_TYPES.includes('manifest') && checked.verified.includes('manifest')
      ? createManifestActivities({
          config,
          hostId,
          hostQueue,
          api,
          parts:
            options.manifestParts ??
            defaultManifestParts(config, (ref) => secretsOf({ config, env }).resolve(ref)),
          secrets: secretsOf({ config, env }),
        })
      : null;
  const fixed = (numSlots: number) => ({ type: 'fixed-size' as const, numSlots });
  const { prepare, ...taskHostActivities } = activities;
  const { claimService, ...orchestratorSteps } = orchestrator ?? {};
  const { claimManifest, ...manifestStages } = manifest ?? {};
  const hostActivities = { ...taskHostActivities, ...orchestratorSteps, ...manifestStages };
  let workers: Worker[];
  try {
    workers = [
      await Worker.create({
        connection,
        namespace,
        taskQueue: poolQueue,
        identity,
        activities: {
          prepare,
          ...(claimService ? { claimService } : {}),
          ...(claimManifest ? { claimManifest } : {}),
        },
        interceptors: activityInterceptors(),
        tuner: {
          activityTaskSlotSupplier: runSlotSupplier(slots),
          workflowTaskSlotSupplier: fixed(1),
          localActivityTaskSlotSupplier: fixed(1),
          nexusTaskSlotSupplier: fixed(1),
        },
        shutdownGraceTime: '5 seconds',
      }),
      await Worker.create({
        connection,
        namespace,
        taskQueue: hostQueue,
        identity,
        activities: hostActivities,
        interceptors: activityInterceptors(),
        // A cancellation reaches a step with the answer to its next heartbeat: send them often (the SDK's
        // default throttle, 0.8 × the heartbeat timeout, made a cancel take up to 16 s).
        maxHeartbeatThrottleInterval: '250 milliseconds',
        // Steps get a moment to finish on shutdown; then they are cancelled, which stops their agents.
        shutdownGraceTime: '5 seconds',
      }),
    ];
  } catch (err) {
    slots.stop();
    if (ownConnection) await connection.close();
    throw err;
  }
  const runs = workers.map((w) => w.run());
  // Registered only once it polls: the API wakes queued runs on registration, and they must find a poller.
  const registration = {
    taskQueue: poolQueue,
    pool,
    hostId,
    hostQueue,
    capabilities: checked.verified,
    jobTypes: config.MOONMIND_WORKER_JOB_TYPES,
    repositories: config.MOONMIND_WORKER_REPOSITORIES,
  };
  let pings: ReturnType<typeof startHostPings> | undefined;
  if (options.register ?? true) {
    try {
      await registerUntilAnswered(api, registration, log, stopping.signal);
    } catch (err) {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.allSettled(runs);
      slots.stop();
      clearInterval(sweeper);
      if (ownConnection) await connection.close();
      throw err;
    }
    pings = startHostPings({
      api,
      hostId,
      attempts: () => slots.owners,
      register: () => api.register(registration),
      log,
    });
    slots.onClaim(pings.now);
  }
  log.info(
    {
      hostId,
      poolQueue,
      hostQueue,
      capabilities: checked.verified,
      concurrency: config.MOONMIND_WORKER_CONCURRENCY,
    },
    `worker ${identity} polling ${poolQueue} and ${hostQueue}`,
  );
  let stopped: Promise<void> | undefined;
  return {
    hostId,
    hostQueue,
    poolQueue,
    capabilities: checked.verified,
    shutdown() {
      stopped ??= (async () => {
        stopping.abort();
        clearInterval(sweeper);
        const [poolWorker, hostWorker] = workers;
        // No new work first: a run handed back below must not be prepared here again.
        if (poolWorker.getState() === 'RUNNING') poolWorker.shutdown();
        await Promise.allSettled([runs[0]]);
        // Each attempt held here goes back to its run, which cancels its step (stopping the agent) and starts
        // the same attempt again when a worker is free (workers/hand-back.ts).
        const handedBack = await handBackAttempts(client, hostId, slots.leased, (level, message) =>
          log[level](message),
        );
        if (hostWorker.getState() === 'RUNNING') hostWorker.shutdown();
        const results = await Promise.allSettled(runs);
        // The attempts are the runs' again: nothing of them stays here (a restart finds no lost attempt).
        for (const { workspace } of handedBack) {
          await sandbox.killLeftovers(workspace);
          await sandbox.release(workspace).catch(() => {});
          await removeWorkspace(workspace).catch(() => {});
          slots.release(workspace);
        }
        await pings?.stop();
        slots.stop();
        if (ownConnection) await connection.close();
        for (const r of results)
          if (r.status === 'rejected') log.error({ err: r.reason }, 'worker stopped with an error');
        log.info(`worker ${identity} stopped`);
        await flushTracing();
      })();
      return stopped;
    },
  };
}

/**
 * Whether an idle lease's attempt is still this host's: the run is open, on this attempt, held here (a
 * soft-paused run is) or not yet recorded anywhere. Unknown runs are done; other query errors keep the lease until the next check.
 */
async function attemptStillHere(client: Client, hostId: string, owner: LeaseOwner): Promise<boolean> {
  try {
    const state = await client.workflow.getHandle(workflowIdFor(owner.jobId)).query(stateQuery);
    // No host yet on this attempt: its prepare has returned here but the workflow has not recorded it yet.
    const here = state.host === hostId || state.host === null;
    return !isTerminal(state.status) && state.attempt === owner.attempt && here;
  } catch (err) {
    return !(err instanceof WorkflowNotFoundError);
  }
}

/** The API may start after the worker: keep trying through outages; a refusal (4xx) is final. */
async function registerUntilAnswered(
  api: WorkerApiClient,
  body: Parameters<WorkerApiClient['register']>[0],
  log: pino.Logger,
  signal: AbortSignal,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await api.register(body);
      log.info({ pool: body.pool, hostId: body.hostId }, `registered with ${api.baseUrl}`);
      return;
    } catch (err) {
      if (err instanceof ApiError && !err.retryable) {
        throw new Error(`the API refused this worker's registration: ${err.message}`);
      }
      if (signal.aborted) throw err;
      if (attempt === 1 || attempt % 10 === 0)
        log.warn(`API not reachable yet, retrying registration: ${(err as Error).message}`);
      await sleep(Math.min(5_000, 250 * 2 ** Math.min(attempt, 5)), signal);
    }
  }
}

/** JSON logs; a line written inside a span carries its trace and span ids. */
const workerLogger = (env: NodeJS.ProcessEnv) =>
  pino({ name: 'moonmind-worker', level: env.MOONMIND_LOG_LEVEL ?? 'info', mixin: traceLogFields });

/**
 * MOONMIND_WORKER_METRICS_PORT: this process's metrics and the Temporal SDK's runtime metrics (its exporter
 * on a loopback port, installed before any connection) in one /metrics answer.
 */
async function serveWorkerMetrics(config: WorkerConfig) {
  const port = config.MOONMIND_WORKER_METRICS_PORT;
  if (port === undefined) return null;
  const { metricsUrl } = await installTemporalRuntime({ metrics: true });
  return startMetricsServer({
    host: config.MOONMIND_WORKER_METRICS_HOST,
    port,
    token: config.MOONMIND_METRICS_TOKEN,
    source: { registry: workerRegistry, temporalUrl: metricsUrl },
  });
}

async function main() {
  // What the worker writes (logs, artifacts, clones before they are handed to the agent) is its own.
  process.umask(0o077);
  const logger = workerLogger(process.env);
  let worker: CapabilityWorker;
  let metrics: Awaited<ReturnType<typeof serveWorkerMetrics>>;
  try {
    const config = loadWorkerConfig();
    metrics = await serveWorkerMetrics(config);
    if (metrics) logger.info({ url: metrics.url }, 'metrics listening');
    worker = await startCapabilityWorker({ config, logger });
  } catch (err) {
    logger.fatal((err as Error).message);
    process.exit(1);
  }
  const stop = (sig: string) => {
    logger.info(`${sig}: shutting down`);
    worker
      .shutdown()
      .then(() => metrics?.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
