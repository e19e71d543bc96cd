import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { groupRunning } from '../../activities/orchestrator/service/group.ts';
import type { RunnerContext } from '../../activities/orchestrator/service/runner.ts';
import { signalGroup } from '../../activities/runtimes/process-group.ts';
import type { ServiceProfile } from '../../contracts/service-profiles.ts';
import { loadServiceProfiles, type ServiceProfiles } from '../../lib/service-profiles.ts';

const run = promisify(execFile);
const template = fileURLToPath(new URL('./service-app/', import.meta.url));
const node = JSON.stringify(process.execPath);

/** What each service of the fixture is; everything else of its profile comes from `profile` overrides. */
export interface FixtureServiceOptions {
  name: string;
  protected?: boolean;
  /** Start with a config the build rejects ('invalid-json') or that leaves /health at 503 ('unhealthy'). */
  broken?: 'invalid-json' | 'unhealthy';
  /** Profile fields to override (build: a slow command for the cancel test, health timeouts, checks). */
  profile?: Partial<Record<keyof ServiceProfile, unknown>>;
}

export interface FixtureService {
  name: string;
  /** The service's files: a git repository with one commit (the template and a healthy or broken config). */
  root: string;
  port: number;
  healthUrl: string;
  readConfig(): Promise<string>;
  /** config.json that the build rejects (invalid JSON) or that the server answers 503 for (healthy: false). */
  breakConfig(how?: 'invalid-json' | 'unhealthy'): Promise<void>;
  /** A valid, healthy config.json. */
  fixConfig(): Promise<void>;
  /** The health endpoint's status now, or null when nothing answers. */
  healthStatus(): Promise<number | null>;
  /** The pid in the service's pid file (the running process group), if any. */
  pid(): Promise<number | null>;
  git(...args: string[]): Promise<string>;
}

export interface ServiceFixture {
  dir: string;
  /** MOONMIND_SERVICE_PROFILES for the API and the workers. */
  profilesFile: string;
  profiles: ServiceProfiles;
  services: Record<string, FixtureService>;
  /** Stop every service's process group and remove the files (afterAll). */
  close(): Promise<void>;
}

/**
 * Real local services for orchestrator tests: each a tiny Node HTTP server (service-app/) in its own git
 * root on a free port, driven by the process runner, listed in one YAML profiles file. Editable:
 * `config.json` and `src/**`; `secrets.env` and `docker-compose.yml` are there and not editable.
 */
export async function createServiceFixture(
  services: FixtureServiceOptions[] = [{ name: 'app' }],
): Promise<ServiceFixture> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mm-services-'));
  const profiles: Record<string, unknown> = {};
  const handles: Record<string, FixtureService> = {};
  for (const options of services) {
    const root = path.join(dir, options.name);
    await cp(template, root, { recursive: true });
    await rename(path.join(root, 'gitignore.template'), path.join(root, '.gitignore'));
    const handle = fixtureService(options.name, root, await freePort());
    if (options.broken) await handle.breakConfig(options.broken);
    else await handle.fixConfig();
    await handle.git('init', '-q', '-b', 'main');
    await handle.git('add', '-A');
    await handle.git('commit', '-q', '-m', 'service as deployed');
    handles[options.name] = handle;
    profiles[options.name] = {
      runner: 'process',
      root: options.name,
      editable: ['config.json', 'src/**'],
      protected: options.protected ?? false,
      build: { command: `${node} build.mjs`, timeoutSeconds: 60 },
      start: { command: `exec ${node} server.mjs` },
      health: { url: handle.healthUrl, timeoutSeconds: 5 },
      ...options.profile,
    };
  }
  const profilesFile = path.join(dir, 'services.yaml');
  await writeFile(profilesFile, stringify({ services: profiles }));
  return {
    dir,
    profilesFile,
    profiles: loadServiceProfiles(profilesFile),
    services: handles,
    async close() {
      for (const service of Object.values(handles)) {
        const pid = await service.pid();
        if (pid !== null) signalGroup(pid, 'SIGKILL');
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function fixtureService(name: string, root: string, port: number): FixtureService {
  const configFile = path.join(root, 'config.json');
  const healthUrl = `http://127.0.0.1:${port}/health`;
  return {
    name,
    root,
    port,
    healthUrl,
    readConfig: () => readFile(configFile, 'utf8'),
    breakConfig: (how = 'invalid-json') =>
      writeFile(
        configFile,
        how === 'invalid-json'
          ? `{ "port": ${port}, "healthy": true,\n`
          : `${JSON.stringify({ port, healthy: false }, null, 2)}\n`,
      ),
    fixConfig: () => writeFile(configFile, `${JSON.stringify({ port, healthy: true }, null, 2)}\n`),
    async healthStatus() {
      try {
        const res = await fetch(healthUrl, { signal: AbortSignal.timeout(2_000) });
        await res.body?.cancel();
        return res.status;
      } catch {
        return null;
      }
    },
    async pid() {
      const text = await readFile(path.join(root, '.moonmind', `${name}.pid`), 'utf8').catch(() => '');
      const pid = Number(text.trim());
      return Number.isInteger(pid) && pid > 1 && groupRunning(pid) ? pid : null;
    },
    git: (...args) =>
      run('git', ['-c', 'user.name=fixture', '-c', 'user.email=fixture@example.com', ...args], {
        cwd: root,
      }).then((r) => r.stdout.trim()),
  };
}

/** A port nothing listens on now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A runner context for `name` of the fixture's profiles, its log lines collected in `lines`. */
export function runnerContext(
  fixture: ServiceFixture,
  name: string,
  signal: AbortSignal = new AbortController().signal,
): RunnerContext & { lines: string[] } {
  const profile = fixture.profiles.get(name);
  if (!profile) throw new Error(`no service ${name} in the fixture`);
  const lines: string[] = [];
  return { name, profile, root: profile.root, signal, lines, log: (line) => lines.push(line) };
}
