import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Config } from '../contracts/config.ts';
import { watchChild } from './child.ts';
import { startEmbeddedPostgres } from './postgres.ts';
import { type Running, type SuperviseOptions, supervise } from './supervise.ts';
import { findTemporalCli } from './temporal-cli.ts';
import { ensureSearchAttributes, startDevServer } from './temporal-server.ts';

/** Where Temporal and PostgreSQL are, and how to stop the ones this process started. */
export interface Infrastructure {
  temporalAddress: string;
  namespace: string;
  temporalUiUrl: string | null;
  databaseUrl: string;
  started: string[];
  stop(): Promise<void>;
}

/**
 * Start what is not configured as external: the Temporal dev server unless TEMPORAL_ADDRESS is set, an
 * embedded PostgreSQL unless DATABASE_URL is set. Used by `npm start` and by the test harness alike.
 */
export async function startInfrastructure(
  config: Config,
  log: (line: string) => void,
  options: {
    namespaces?: string[];
    ephemeralTemporal?: boolean;
    headless?: boolean;
    /** `npm start`: restart the dev server or PostgreSQL when it dies (tests leave them alone). */
    keepRunning?: SuperviseOptions;
    /** The bench's before/after: the dev server with Temporal's default queue processor limits. */
    defaultQueueLimits?: boolean;
  } = {},
): Promise<Infrastructure> {
  const dataDir = path.resolve(config.MOONMIND_DATA_DIR);
  const stops: (() => Promise<void>)[] = [];
  const started: string[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    const temporal = config.TEMPORAL_ADDRESS
      ? (async () => {
          await ensureSearchAttributes(config.TEMPORAL_ADDRESS!, config.TEMPORAL_NAMESPACE).catch((err) =>
            log(
              `could not register search attributes on ${config.TEMPORAL_ADDRESS}: ${(err as Error).message}`,
            ),
          );
          return { address: config.TEMPORAL_ADDRESS!, uiUrl: config.TEMPORAL_UI_URL ?? null };
        })()
      : (async () => {
          const cli = await findTemporalCli(log);
          const start = () =>
            startDevServer({
              cliPath: cli.path,
              dataDir,
              port: config.MOONMIND_TEMPORAL_PORT,
              uiPort: config.MOONMIND_TEMPORAL_UI_PORT,
              namespaces: options.namespaces ?? [config.TEMPORAL_NAMESPACE],
              ephemeral: options.ephemeralTemporal,
              headless: options.headless,
              defaultQueueLimits: options.defaultQueueLimits,
            });
          const server = await start();
          stops.push(await keep('temporal', server, start, options.keepRunning));
          started.push('temporal');
          return { address: server.address, uiUrl: server.uiUrl };
        })();
    const database = config.DATABASE_URL
      ? Promise.resolve(config.DATABASE_URL)
      : (async () => {
          const start = () => startEmbeddedPostgres({ dataDir, port: config.MOONMIND_PG_PORT, log });
          const pg = await start();
          stops.push(await keep('postgres', pg, start, options.keepRunning));
          started.push('postgres');
          return pg.url;
        })();
    // Both settle before a failure is thrown: a dev server still starting when PostgreSQL failed would
    // otherwise register its stop after the cleanup below ran, and outlive the launcher.
    const failed = (await Promise.allSettled([temporal, database])).find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    const [t, databaseUrl] = await Promise.all([temporal, database]);
    return {
      temporalAddress: t.address,
      namespace: config.TEMPORAL_NAMESPACE,
      temporalUiUrl: config.TEMPORAL_UI_URL ?? t.uiUrl,
      databaseUrl,
      started,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

type Started = { process: ChildProcess; stop(): Promise<void> };

/** The exit of a started child as a `Running` for the supervisor. */
export function running(s: Started): Running {
  const child = s.process;
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
  return { exited, stop: s.stop };
}

/** Without supervision: the first process's stop. With it: a supervisor that restarts it (same settings). */
async function keep(
  name: string,
  first: Started,
  start: () => Promise<Started>,
  supervision?: SuperviseOptions,
): Promise<() => Promise<void>> {
  if (!supervision) return first.stop;
  let initial: Started | null = first;
  const sup = await supervise(
    name,
    async () => {
      const s = initial ?? (await start());
      initial = null;
      return running(s);
    },
    supervision,
  );
  return () => sup.stop();
}

export interface Service {
  name: string;
  process: ChildProcess;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Run a TypeScript entry point as a child (node + tsx), its output prefixed with the service name. */
export function spawnService(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  output: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Service {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: Ctrl-C in the terminal reaches only the launcher, which stops the services in
    // order (workers first, so they hand their attempts back while the API and Temporal are still up).
    detached: true,
  });
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => output(`[${name}] ${line}`));
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const watched = watchChild(child);
  return {
    name,
    process: child,
    exited,
    stop: (signal: NodeJS.Signals = 'SIGTERM') => watched.stop(signal, 15_000),
  };
}
