/**
 * The API process: configuration, Postgres (migrated), Temporal, the control worker, the event hub, the HTTP
 * server. `startApi` does it in-process (tests, benchmarks); run directly, it is the `api` service.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { type DestinationStream, type Logger, pino } from 'pino';
import { type Config, ConfigError, loadConfig } from '../contracts/config.ts';
import { isOrchestratorTerminal } from '../contracts/orchestrator-run.ts';
import { createSql } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { getRun } from '../db/orchestrator-runs.ts';
import { controlPlaneRegistry, countQueuedRunsWith } from '../lib/metrics/control-plane.ts';
import { type MetricsSource, startMetricsServer, withProcessMetrics } from '../lib/metrics/serve.ts';
import { loadServiceProfiles } from '../lib/service-profiles.ts';
import { installTemporalRuntime } from '../lib/temporal-runtime.ts';
import { clientInterceptors } from '../lib/temporal-tracing.ts';
import { flushTracing, startTracing, traceLogFields } from '../lib/tracing.ts';
import { createApp } from './app.ts';
import { directoryArtifactStore } from './artifacts/store.ts';
import { ensureAdmin } from './auth/bootstrap.ts';
import { createOidcVerifier } from './auth/oidc.ts';
import { answerClientError } from './client-errors.ts';
import type { ApiDeps } from './context.ts';
import { apiSqlOptions, temporalConnectionOptions } from './deadlines.ts';
import { EventHub } from './events/hub.ts';
import { jobMetaCache } from './jobs/meta.ts';
import { describeJob } from './jobs/temporal.ts';
import { jobStatus } from './jobs/views.ts';
import { LiveRelay } from './live/relay.ts';
import { closeOrphans, startSweep } from './live/sweep.ts';
import { liveUpgrade } from './live/upgrade.ts';
import { loadSeedPresets } from './presets/seeds.ts';
import { skillCatalog } from './skills.ts';

export interface StartApiOptions {
  /** Settings; default `loadConfig()` (process.env). TEMPORAL_ADDRESS and DATABASE_URL are required. */
  config?: Config;
  /** Listen port (0: any free one); default config.PORT. */
  port?: number;
  logger?: Logger;
  /** Run the control worker in this process (default true). */
  controlWorker?: boolean;
  sseHeartbeatMs?: number;
  /** Built dashboard directory; default `dist/web` when it holds an index.html. */
  webDir?: string | null;
  /** The Temporal Runtime's Prometheus exporter, merged into /metrics (installTemporalRuntime). */
  temporalMetricsUrl?: string;
}

export interface RunningApi {
  url: string;
  port: number;
  deps: ApiDeps;
  close(): Promise<void>;
}

/** JSON logs; request logging never includes headers, and these paths are censored should any code log them. */
export const apiLogger = (level: Config['MOONMIND_LOG_LEVEL'], destination?: DestinationStream) =>
  pino(
    {
      level,
      base: { service: 'api' },
      redact: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'token'],
      // Inside a span (a request, when tracing is on) the line carries its trace_id and span_id.
      mixin: traceLogFields,
    },
    destination,
  );

const defaultWebDir = () => {
  const dir = fileURLToPath(new URL('../dist/web/', import.meta.url));
  return existsSync(path.join(dir, 'index.html')) ? dir : null;
};

export async function startApi(options: StartApiOptions = {}): Promise<RunningApi> {
  const config = options.config ?? loadConfig();
  if (!config.TEMPORAL_ADDRESS)
    throw new ConfigError('Invalid configuration:\n  TEMPORAL_ADDRESS: is required by the API');
  if (!config.DATABASE_URL)
    throw new ConfigError('Invalid configuration:\n  DATABASE_URL: is required by the API');
  const services = loadServiceProfiles(config.MOONMIND_SERVICE_PROFILES);
  const logger = options.logger ?? apiLogger(config.MOONMIND_LOG_LEVEL);
  // Before anything that reads whether tracing is on (the client, the workers, the app).
  startTracing('moonmind-api', config);

  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of closers.reverse())
      await c().catch((err) => logger.warn({ err: (err as Error).message }, 'shutdown step failed'));
    closers.length = 0;
  };
  try {
    const sql = createSql(config.DATABASE_URL, apiSqlOptions);
    closers.push(() => sql.end({ timeout: 5 }));
    const applied = await migrate(sql);
    if (applied.length) logger.info({ applied }, 'migrations applied');
    const seeded = await loadSeedPresets(sql);
    if (seeded.length) logger.info({ seeded }, 'seed presets added');
    if (config.MOONMIND_ADMIN_TOKEN) await ensureAdmin(sql, { token: config.MOONMIND_ADMIN_TOKEN });

    const connection = await Connection.connect(temporalConnectionOptions(config.TEMPORAL_ADDRESS)).catch(
      (err: Error) => {
        throw new Error(`cannot reach Temporal at ${config.TEMPORAL_ADDRESS}: ${err.message}`);
      },
    );
    closers.push(() => connection.close());
    const client = new Client({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      interceptors: clientInterceptors(),
    });

    const skills = skillCatalog(path.resolve(config.MOONMIND_SKILLS_DIR));
    if (options.controlWorker !== false) {
      const { startControlWorker } = await import('../workers/control.ts');
      const { scheduleFireActivities } = await import('./schedules/fire.ts');
      const workerConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
      closers.push(() => workerConnection.close());
      const worker = await startControlWorker({
        connection: workerConnection,
        namespace: config.TEMPORAL_NAMESPACE,
        sql,
        client,
        scheduleActivities: scheduleFireActivities({ config, sql, skills }),
        countRuns: metricsOn(config),
      });
      closers.push(() => worker.shutdown());
      const { startHostMonitor } = await import('../workers/host-monitor.ts');
      const monitor = startHostMonitor({ sql, client, logger });
      closers.push(async () => monitor.stop());
    }

    const hub = new EventHub(
      sql,
      async (jobId) => {
        const summary = await describeJob(client, jobId);
        if (summary) return summary.executionStatus !== 'RUNNING' ? jobStatus(summary) : null;
        // Not a job: an orchestrator run's stream ends when its row says it finished.
        const run = await getRun(sql, jobId);
        return run && isOrchestratorTerminal(run.state.status) ? run.state.status : null;
      },
      options.sseHeartbeatMs ?? 15_000,
    );
    await hub.start();
    closers.push(() => hub.stop());

    const metrics = await serveMetrics(config, client, options.temporalMetricsUrl, logger);
    if (metrics) closers.push(metrics.close);

    const deps: ApiDeps = {
      config,
      sql,
      client,
      logger,
      artifacts: directoryArtifactStore(path.resolve(config.MOONMIND_DATA_DIR, 'artifacts')),
      hub,
      skills,
      jobMeta: jobMetaCache(client),
      oidc: config.MOONMIND_OIDC_ISSUER
        ? createOidcVerifier({
            issuer: config.MOONMIND_OIDC_ISSUER,
            audience: config.MOONMIND_OIDC_AUDIENCE,
            rolesClaim: config.MOONMIND_OIDC_ROLES_CLAIM,
          })
        : null,
      webDir: options.webDir === undefined ? defaultWebDir() : options.webDir,
      sseHeartbeatMs: options.sseHeartbeatMs ?? 15_000,
      metrics: metrics?.source,
      services,
      live: new LiveRelay(),
    };
    // One API process carries every live-session socket: sessions a previous one left open are gone.
    await closeOrphans(deps);
    const server = createServer(createApp(deps).callback());
    server.on('clientError', answerClientError);
    const upgrade = liveUpgrade(deps);
    server.on('upgrade', upgrade.onUpgrade);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? config.PORT, config.MOONMIND_HOST, () => resolve());
    });
    closers.push(async () => {
      // Open SSE streams would keep close() waiting forever: end them after a short grace.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 1_000).unref();
      await closed;
    });
    const sweep = startSweep(deps);
    // Runs before the server's close (closers run last first): open sockets would keep it waiting.
    closers.push(async () => {
      await sweep.stop();
      deps.live.closeAll('the API is shutting down');
      upgrade.close();
    });
    const port = (server.address() as AddressInfo).port;
    const host = config.MOONMIND_HOST === '0.0.0.0' ? '127.0.0.1' : config.MOONMIND_HOST;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    logger.info({ url, namespace: config.TEMPORAL_NAMESPACE }, 'API listening');
    return { url, port, deps, close };
  } catch (err) {
    await close();
    throw err;
  }
}

export const metricsOn = (config: Config) =>
  Boolean(config.MOONMIND_METRICS_TOKEN || config.MOONMIND_METRICS_LISTEN);

/**
 * Metrics on (a token or a listener of its own is set): the source /metrics serves, the queued-runs gauge
 * counting through Temporal visibility at scrape time, and the own listener when asked for.
 */
async function serveMetrics(
  config: Config,
  client: Client,
  temporalUrl: string | undefined,
  logger: Logger,
): Promise<{ source: MetricsSource; close(): Promise<void> } | null> {
  if (!metricsOn(config)) return null;
  const source: MetricsSource = { registry: withProcessMetrics(controlPlaneRegistry), temporalUrl };
  countQueuedRunsWith(async () => {
    const { count } = await client.workflow.count(
      'ExecutionStatus = "Running" AND MoonMindStatus = "queued"',
    );
    return count;
  });
  const listen = config.MOONMIND_METRICS_LISTEN;
  if (!listen) return { source, close: async () => {} };
  const server = await startMetricsServer({ ...listen, token: config.MOONMIND_METRICS_TOKEN, source });
  logger.info({ url: server.url }, 'metrics listening');
  return { source, close: server.close };
}

async function main() {
  const config = loadConfig();
  const logger = apiLogger(config.MOONMIND_LOG_LEVEL);
  const { metricsUrl } = await installTemporalRuntime({ logger, metrics: metricsOn(config) });
  const api = await startApi({ config, logger, temporalMetricsUrl: metricsUrl });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await api.close();
    await flushTracing();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((err) => {
    console.error(err instanceof ConfigError ? err.message : `[api] ${(err as Error).message}`);
    process.exit(1);
  });
}
