/**
 * `npm start`: the whole system in one process tree on embedded defaults. Temporal (unless
 * TEMPORAL_ADDRESS), PostgreSQL (unless DATABASE_URL), migrations, the API with the dashboard, and
 * MOONMIND_EMBEDDED_WORKERS capability workers. One Ctrl-C stops everything.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../contracts/config.ts';
import { createSql } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { type EmbeddedVectorServer, startEmbeddedVectorServer } from '../lib/vector-db.ts';
import { bootstrapAccess } from './access.ts';
import { protectDataDir } from './data-dir.ts';
import { type Demo, demoEnabled, prepareDemo } from './demo.ts';
import { waitFor } from './ports.ts';
import { type Infrastructure, spawnService, startInfrastructure } from './services.ts';
import { holdWhileFileExists, type SuperviseOptions, type Supervisor, supervise } from './supervise.ts';
import { buildDashboard } from './web-build.ts';

const log = (line: string) => console.log(`[start] ${line}`);

async function main() {
  const t0 = performance.now();
  // Everything the launcher and its services (inheriting it) create is private to them.
  process.umask(0o077);
  const config = loadConfig();
  const dataDir = path.resolve(config.MOONMIND_DATA_DIR);
  const workspaceDir = path.resolve(process.env.MOONMIND_WORKSPACE_DIR ?? path.join(dataDir, 'workspaces'));
  await protectDataDir(dataDir, workspaceDir);
  log(`data dir: ${dataDir}`);
  if (!existsSync(path.resolve('dist/web/index.html'))) await buildDashboard(log);

  const services: Supervisor[] = [];
  let infra: Infrastructure | undefined;
  let vectors: EmbeddedVectorServer | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    // Workers first (they started last), each waited for: a stopping worker hands its attempts back through
    // Temporal and the API, so those stop only after it (workers/hand-back.ts).
    for (const s of services.reverse()) await s.stop();
    await vectors?.stop();
    await infra?.stop();
    log('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  // A closed terminal: the services, in their own process groups, do not hear it; stop them as for Ctrl-C,
  // without letting writes to the gone terminal (EIO) end the launcher half way.
  process.on('SIGHUP', () => {
    for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
    void shutdown(0);
  });
  // A crashed service is started again (and the launcher says so); one that keeps crashing ends it all.
  const keepRunning: SuperviseOptions = {
    log,
    giveUp: (reason) => {
      console.error(`[start] ${reason}: stopping everything`);
      void shutdown(1);
    },
    ...(config.MOONMIND_RESTART_HOLD_DIR
      ? { restartHold: holdWhileFileExists(path.resolve(config.MOONMIND_RESTART_HOLD_DIR)) }
      : {}),
  };
  infra = await startInfrastructure(config, log, { keepRunning });

  try {
    const sql = createSql(infra.databaseUrl, { max: 2 });
    const applied = await migrate(sql);
    if (applied.length) log(`migrations applied: ${applied.join(', ')}`);
    const access = await bootstrapAccess(sql, {
      adminToken: config.MOONMIND_ADMIN_TOKEN,
      workers: config.MOONMIND_EMBEDDED_WORKERS,
    });
    await sql.end();
    const demo = demoEnabled(config) ? await prepareDemo(config, process.env, log) : null;

    // The vector database of manifest runs: unless set, one embedded PGlite+pgvector served here to the API and
    // every worker (one connection each, plus spares for the CLI and restarts).
    if (!config.MOONMIND_VECTOR_DATABASE_URL) {
      vectors = await startEmbeddedVectorServer({
        dataDir,
        maxConnections: config.MOONMIND_EMBEDDED_WORKERS + 4,
      });
    }
    const vectorDatabaseUrl = config.MOONMIND_VECTOR_DATABASE_URL ?? (vectors as EmbeddedVectorServer).url;

    const apiUrl = `http://${config.MOONMIND_HOST}:${config.PORT}`;
    const shared = {
      MOONMIND_VECTOR_DATABASE_URL: vectorDatabaseUrl,
      TEMPORAL_ADDRESS: infra.temporalAddress,
      TEMPORAL_NAMESPACE: infra.namespace,
      DATABASE_URL: infra.databaseUrl,
      MOONMIND_DATA_DIR: dataDir,
      ...(infra.temporalUiUrl ? { TEMPORAL_UI_URL: infra.temporalUiUrl } : {}),
    };
    const service = (name: string, entry: string, env: NodeJS.ProcessEnv) =>
      supervise(name, async () => spawnService(name, entry, env), keepRunning);
    services.push(await service('api', 'api/main.ts', { ...shared, ...demo?.api }));
    await waitFor('API', async () => (await fetch(`${apiUrl}/healthz`)).ok, 120_000, 500);
    for (let i = 0; i < config.MOONMIND_EMBEDDED_WORKERS; i++) {
      services.push(
        await service(`worker-${i + 1}`, 'workers/main.ts', {
          ...shared,
          MOONMIND_API_URL: apiUrl,
          MOONMIND_WORKER_TOKEN: access.workerTokens[i],
          MOONMIND_WORKER_POOL: process.env.MOONMIND_WORKER_POOL ?? 'embedded',
          MOONMIND_WORKER_CAPABILITIES:
            process.env.MOONMIND_WORKER_CAPABILITIES ?? `codex,gemini,claude,git,gh${demo ? ',demo' : ''}`,
          MOONMIND_WORKSPACE_DIR: workspaceDir,
          ...demo?.worker,
          ...embeddedMetricsPort(i),
        }),
      );
    }
    // With no embedded workers (e.g. docker-compose), readiness waits for external workers; don't block on it.
    if (config.MOONMIND_EMBEDDED_WORKERS > 0) {
      await waitFor('readiness (/readyz)', async () => (await fetch(`${apiUrl}/readyz`)).ok, 180_000, 1000);
    }

    const signIn = access.adminTokenCreated
      ? `sign in with this admin API token (shown once, stored only hashed):\n\n    ${access.adminTokenCreated}\n`
      : config.MOONMIND_ADMIN_TOKEN
        ? 'sign in with the token in MOONMIND_ADMIN_TOKEN'
        : 'sign in with the admin token printed on the first start (or create one: npm run moonmind -- user create --name NAME --role admin)';
    console.log(
      [
        '',
        `MoonMind is ready (${((performance.now() - t0) / 1000).toFixed(1)} s).`,
        `  dashboard:        ${apiUrl}/tasks`,
        `  API:              ${apiUrl}/api (OpenAPI: ${apiUrl}/api/openapi.json)`,
        `  Temporal Web UI:  ${infra.temporalUiUrl ?? '(external Temporal: set TEMPORAL_UI_URL)'}`,
        `  Temporal:         ${infra.temporalAddress} namespace ${infra.namespace}`,
        `  PostgreSQL:       ${infra.started.includes('postgres') ? 'embedded, ' : ''}${redactUrl(infra.databaseUrl)}`,
        `  vector database:  ${vectors ? 'embedded (PGlite + pgvector), ' : ''}${redactUrl(vectorDatabaseUrl)}`,
        `  data dir:         ${dataDir}`,
        ...demoLines(demo),
        `  ${signIn}`,
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
  } catch (err) {
    console.error(`[start] ${(err as Error).message}`);
    await shutdown(1);
  }
}

/** How to try the demo, and how to leave it for a real agent. */
function demoLines(demo: Demo | null): string[] {
  if (!demo) return [];
  return [
    `  demo:             on: the form starts on the scripted \`demo\` runtime${demo.api.MOONMIND_DEFAULT_REPOSITORY ? ` and the demo repository (${demo.bareRepo})` : ''};`,
    '                    submit it as it is. Real agents: docs/runtimes.md; MOONMIND_DEMO=off turns the demo off.',
  ];
}

const redactUrl = (url: string) =>
  url.replace(/\/\/([^@/]*)@/, (_m, auth: string) => `//${auth.split(':')[0]}@`);

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `[start] ${(err as Error).stack ?? err}`);
  process.exit(1);
});

/** Embedded workers serve their metrics on MOONMIND_WORKER_METRICS_PORT, the next one up, and so on. */
function embeddedMetricsPort(i: number): NodeJS.ProcessEnv {
  const base = Number(process.env.MOONMIND_WORKER_METRICS_PORT);
  return base ? { MOONMIND_WORKER_METRICS_PORT: String(base + i) } : {};
}
