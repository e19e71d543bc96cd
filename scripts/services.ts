import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Config } from '../contracts/config.ts';
import { watchChild } from './child.ts';
import { startEmbeddedPostgres } from './postgres.ts';
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
          const server = await startDevServer({
            cliPath: cli.path,
            dataDir,
            port: config.MOONMIND_TEMPORAL_PORT,
            uiPort: config.MOONMIND_TEMPORAL_UI_PORT,
            namespaces: options.namespaces ?? [config.TEMPORAL_NAMESPACE],
            ephemeral: options.ephemeralTemporal,
            headless: options.headless,
            defaultQueueLimits: options.defaultQueueLimits,
          });
          stops.push(server.stop);
          started.push('temporal');
          return { address: server.address, uiUrl: server.uiUrl };
        })();
    const database = config.DATABASE_URL
      ? Promise.resolve(config.DATABASE_URL)
      : (async () => {
          const pg = await startEmbeddedPostgres({ dataDir, port: config.MOONMIND_PG_PORT, log });
          stops.push(pg.stop);
          started.push('postgres');
          return pg.url;
        })();
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
