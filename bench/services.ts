import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../contracts/config.ts';
import { createSql } from '../db/client.ts';
import { freePort } from '../scripts/ports.ts';
import { startInfrastructure } from '../scripts/services.ts';

/** `bench-obs-*`: one per observability mode (bench/observability.ts), so their control workers never share a queue. */
export const BENCH_NAMESPACES = [
  'default',
  'bench',
  'bench-list',
  'bench-obs-off',
  'bench-obs-metrics',
  'bench-obs-traced',
  'bench-manifest',
];

/** The same services the tests use: an in-memory Temporal dev server and PostgreSQL (local or embedded). */
export async function startBenchServices() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mm-bench-'));
  const candidate = process.env.MOONMIND_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const probe = createSql(candidate, { max: 1 });
  const external = await probe`SELECT 1`.then(
    () => true,
    () => false,
  );
  await probe.end({ timeout: 1 });
  const config = loadConfig({
    MOONMIND_DATA_DIR: dataDir,
    MOONMIND_TEMPORAL_PORT: String(await freePort()),
    MOONMIND_TEMPORAL_UI_PORT: String(await freePort()),
    MOONMIND_PG_PORT: String(await freePort()),
    ...(external ? { DATABASE_URL: candidate } : {}),
  });
  const infra = await startInfrastructure(config, (l) => console.log(`[bench] ${l}`), {
    namespaces: BENCH_NAMESPACES,
    ephemeralTemporal: true,
    headless: true,
    // Before/after for the queue processor limits (scripts/temporal-server.ts): the server's defaults.
    defaultQueueLimits: process.env.MOONMIND_BENCH_DEFAULT_QUEUE_LIMITS === '1',
  });
  return {
    infra,
    defaultQueueLimits: process.env.MOONMIND_BENCH_DEFAULT_QUEUE_LIMITS === '1',
    servicesFor: (namespace: string) => ({
      temporalAddress: infra.temporalAddress,
      temporalUiUrl: '',
      adminDatabaseUrl: infra.databaseUrl,
      namespace,
    }),
    async stop() {
      await infra.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
