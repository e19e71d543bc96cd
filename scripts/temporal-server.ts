import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { searchAttributeCliArgs, searchAttributes } from '../contracts/search-attributes.ts';
import { watchChild } from './child.ts';
import { recordPid, stopLeftover } from './leftovers.ts';
import { waitFor } from './ports.ts';

export interface DevServerOptions {
  cliPath: string;
  dataDir: string;
  port: number;
  uiPort: number;
  namespaces?: string[];
  /** In-memory store instead of a file under dataDir (tests). */
  ephemeral?: boolean;
  headless?: boolean;
  readyTimeoutMs?: number;
  /**
   * Keep the history queue processors' default poll rate limits (20 per shard; the dev server has one
   * shard). Only for measuring what the limits cost (`MOONMIND_BENCH_DEFAULT_QUEUE_LIMITS=1 npm run bench`).
   */
  defaultQueueLimits?: boolean;
}

/**
 * The history service's queue processors (server 1.32) each read their tasks under a token bucket: per
 * shard (`…MaxPollRPS`, default 20) and per history host (`…MaxPollHostRPS`, default 0 = unlimited). The dev
 * server has one shard, so back-to-back runs exhaust the transfer bucket (activity and workflow task
 * dispatch) within a few runs and every workflow task then waits 25–40 ms; timers (activity timeouts,
 * retries) and visibility (what list pages see) share the same limit. Lifted here; what a production
 * cluster should set instead is in docs/performance.md.
 */
export const QUEUE_PROCESSOR_LIMITS = Object.fromEntries(
  ['transfer', 'timer', 'visibility', 'outbound'].flatMap((queue) => [
    [`history.${queue}ProcessorMaxPollRPS`, 10_000],
    [`history.${queue}ProcessorMaxPollHostRPS`, 10_000],
  ]),
) as Record<string, number>;

export interface DevServer {
  address: string;
  uiUrl: string | null;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * `temporal server start-dev` as a child: file persistence under the data dir with the SQLite pragmas that
 * make it fast (WAL, no fsync), the Web UI on, the product's search attributes registered, and a readiness
 * wait long enough for a 2-core machine.
 */
export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  await mkdir(opts.dataDir, { recursive: true });
  const namespaces = opts.namespaces ?? ['default'];
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--ui-port',
    String(opts.uiPort),
    '--log-level',
    'warn',
    ...namespaces.flatMap((n) => ['--namespace', n]),
    ...searchAttributeCliArgs(),
    // Priority is ordered within a task-queue partition; one partition makes it exact for the pool queues.
    '--dynamic-config-value',
    'matching.numTaskqueueReadPartitions=1',
    '--dynamic-config-value',
    'matching.numTaskqueueWritePartitions=1',
    ...(opts.defaultQueueLimits
      ? []
      : Object.entries(QUEUE_PROCESSOR_LIMITS).flatMap(([key, value]) => [
          '--dynamic-config-value',
          `${key}=${value}`,
        ])),
    ...(opts.ephemeral
      ? []
      : [
          '--db-filename',
          path.join(opts.dataDir, 'temporal.db'),
          '--sqlite-pragma',
          'journal_mode=wal',
          '--sqlite-pragma',
          'synchronous=off',
        ]),
    ...(opts.headless ? ['--headless'] : ['--ui-disable-news-fetch']),
  ];
  const pidFile = path.join(opts.dataDir, 'temporal.pid');
  if (!opts.ephemeral) await stopLeftover(pidFile, path.join(opts.dataDir, 'temporal.db'));
  const log = await open(path.join(opts.dataDir, 'temporal.log'), 'a');
  // Its own process group: Ctrl-C in the terminal reaches the launcher, which stops the dev server only after
  // the workers have handed their attempts back through it (leftovers.ts stops it if the launcher dies).
  const child = spawn(opts.cliPath, args, { stdio: ['ignore', log.fd, log.fd], detached: true });
  await recordPid(pidFile, child.pid);
  const address = `127.0.0.1:${opts.port}`;
  const watched = watchChild(child, () => void log.close());
  const stop = () => watched.stop('SIGTERM', 15_000);
  try {
    await waitFor(
      `Temporal dev server on ${address} (log: ${path.join(opts.dataDir, 'temporal.log')})`,
      async () => {
        if (watched.exited)
          throw new Error(`temporal exited early; see ${path.join(opts.dataDir, 'temporal.log')}`);
        const connection = await Connection.connect({ address, connectTimeout: 2000 });
        try {
          await connection.workflowService.describeNamespace({ namespace: namespaces[0] });
          return true;
        } finally {
          await connection.close();
        }
      },
      opts.readyTimeoutMs ?? 120_000,
      500,
    );
    for (const namespace of namespaces) await ensureSearchAttributes(address, namespace);
  } catch (err) {
    await stop();
    throw err;
  }
  return { address, uiUrl: opts.headless ? null : `http://localhost:${opts.uiPort}`, process: child, stop };
}

/**
 * `--search-attribute` only applies when the database is new; on a resumed data dir (or an external
 * cluster) add whatever is missing through the operator service.
 */
export async function ensureSearchAttributes(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    // temporal.api.enums.v1.IndexedValueType numbers
    const indexedValueType: Record<string, number> = { TEXT: 1, KEYWORD: 2, INT: 3 };
    const missing = Object.values(searchAttributes).filter((k) => !customAttributes?.[k.name]);
    if (missing.length === 0) return;
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((k) => [k.name, indexedValueType[k.type]])),
    });
  } finally {
    await connection.close();
  }
}
