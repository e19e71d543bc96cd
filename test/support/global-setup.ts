import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../contracts/config.ts';
import { createSql } from '../../db/client.ts';
import { freePort } from '../../scripts/ports.ts';
import { type Infrastructure, startInfrastructure } from '../../scripts/services.ts';
import { buildDashboard } from '../../scripts/web-build.ts';
import { publishFakeAgent } from './fake-agent-path.ts';
import { TEST_NAMESPACES } from './namespaces.ts';

/**
 * Starts the real services once per `npm test`, through the launcher code `npm start` uses: a Temporal
 * dev server (in memory, one namespace per parallel test worker) and PostgreSQL — the one named by
 * MOONMIND_TEST_DATABASE_URL, else the local server on 5432, else an embedded cluster.
 */
let infra: Infrastructure | undefined;
let dataDir: string | undefined;
let fakesCopy: string | null = null;

async function reachable(url: string): Promise<boolean> {
  const sql = createSql(url, { max: 1 });
  try {
    await sql`SELECT 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile())
      newest = Math.max(newest, (await stat(path.join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

async function dashboardIsStale(): Promise<boolean> {
  if (!existsSync('dist/web/index.html')) return true;
  const built = (await stat('dist/web/index.html')).mtimeMs;
  const sources = Math.max(await newestMtime('web'), await newestMtime('contracts'));
  return sources > built;
}

export default async function setup(project: TestProject) {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'mm-test-'));
  // Set before the test workers start, so they inherit it.
  fakesCopy = await publishFakeAgent();
  if (fakesCopy)
    console.log(`[test-setup] the checkout is closed to the agent user: fake agent copied to ${fakesCopy}`);
  const candidate = process.env.MOONMIND_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const external = (await reachable(candidate)) ? candidate : undefined;
  const config = loadConfig({
    MOONMIND_DATA_DIR: dataDir,
    MOONMIND_TEMPORAL_PORT: String(await freePort()),
    MOONMIND_TEMPORAL_UI_PORT: String(await freePort()),
    MOONMIND_PG_PORT: String(await freePort()),
    ...(external ? { DATABASE_URL: external } : {}),
  });
  const log = (line: string) => console.log(`[test-setup] ${line}`);
  infra = await startInfrastructure(config, log, {
    namespaces: ['default', ...TEST_NAMESPACES],
    ephemeralTemporal: true,
  });
  try {
    // Browser tests need the built dashboard: build it once here when the sources are newer than the build,
    // never inside test files (a rebuild empties dist/web under the feet of other files' servers).
    if (await dashboardIsStale()) await buildDashboard(log);
  } catch (err) {
    await infra.stop();
    throw err;
  }
  log(`Temporal ${infra.temporalAddress}; PostgreSQL ${external ? 'external' : 'embedded'}`);
  project.provide('temporalAddress', infra.temporalAddress);
  project.provide('temporalUiUrl', infra.temporalUiUrl ?? '');
  project.provide('adminDatabaseUrl', infra.databaseUrl);
  return async () => {
    await infra?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (fakesCopy) await rm(fakesCopy, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalUiUrl: string;
    adminDatabaseUrl: string;
  }
}
