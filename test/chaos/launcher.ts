import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { isListening, waitFor } from '../../scripts/ports.ts';

/** The launcher's services, and how to recognise each among its children (`ps --ppid`). */
export const SERVICES = {
  api: 'api/main.ts',
  'worker-1': 'workers/main.ts',
  temporal: 'start-dev',
  postgres: '/postgres -D',
} as const;
export type ServiceName = keyof typeof SERVICES;

export interface LauncherLine {
  at: number;
  text: string;
}

/** `npm start` (scripts/start.ts) as a child on its own data dir and ports, driven by the chaos scenarios. */
export interface Launcher {
  apiUrl: string;
  token: string;
  dataDir: string;
  /** API, Temporal, Temporal UI and PostgreSQL ports. */
  ports: number[];
  lines: LauncherLine[];
  /** For test/support/jobs.ts: the launcher's output, newest last. */
  logs: string[];
  api(pathname: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  pid(service: ServiceName): number | undefined;
  /** kill -9 the service's current process; returns when it was sent. */
  kill(service: ServiceName): number;
  /** While held, the launcher does not restart the service after a crash (MOONMIND_RESTART_HOLD_DIR). */
  hold(service: ServiceName): Promise<void>;
  release(service: ServiceName): Promise<void>;
  /** The first output line at or after `since` matching `pattern`. */
  waitForLine(pattern: RegExp, since: number, timeoutMs: number): Promise<LauncherLine>;
  /** SIGINT, as Ctrl-C; then the data dir is removed unless `keepData` (a later start reuses it). */
  stop(options?: { keepData?: boolean }): Promise<void>;
  /** Ctrl-C in its terminal: SIGINT to the launcher's whole process group; resolves with its exit code. */
  interrupt(): Promise<number | null>;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Free ports in 19600–19699 (the range this suite may take), skipping any in use. */
async function pickPorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  const start = 19600 + Math.floor(Math.random() * 50);
  for (let p = start; ports.length < n && p < 19700; p++) if (!(await isListening(p))) ports.push(p);
  if (ports.length < n) throw new Error('not enough free ports in 19600–19699');
  return ports;
}

export async function startLauncher(opts: {
  workdir: string;
  env: Record<string, string>;
  label: string;
  /** Start again on the data dir (and ports) of a launcher stopped with `keepData`. */
  again?: Launcher;
  /** No MOONMIND_ADMIN_TOKEN: sign in with the token a first start prints, as a newcomer does. */
  printedToken?: boolean;
}): Promise<Launcher> {
  const dataDir = opts.again?.dataDir ?? (await mkdtemp(path.join(opts.workdir, `${opts.label}-`)));
  // As root, PostgreSQL runs as its own user and agents as theirs: both pass through here to their dirs.
  await chmod(dataDir, 0o711);
  const holdDir = path.join(dataDir, 'restart-hold');
  await mkdir(holdDir, { recursive: true });
  const [api, temporal, ui, pg] = opts.again?.ports ?? (await pickPorts(4));
  let token = opts.again?.token ?? `chaos-admin-${randomBytes(16).toString('hex')}`;
  const clean = { ...process.env };
  for (const k of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_UI_URL']) delete clean[k];
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: repoRoot,
    env: {
      ...clean,
      MOONMIND_DATA_DIR: path.join(dataDir, 'data'),
      PORT: String(api),
      MOONMIND_TEMPORAL_PORT: String(temporal),
      MOONMIND_TEMPORAL_UI_PORT: String(ui),
      MOONMIND_PG_PORT: String(pg),
      ...(opts.printedToken ? {} : { MOONMIND_ADMIN_TOKEN: token }),
      MOONMIND_RESTART_HOLD_DIR: holdDir,
      MOONMIND_LOG_LEVEL: 'warn',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, as a shell gives `npm start`: `interrupt` signals it the way Ctrl-C does.
    detached: true,
  });
  const lines: LauncherLine[] = [];
  const logs: string[] = [];
  const logFile = path.join(dataDir, 'launcher.log');
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (text) => {
      lines.push({ at: Date.now(), text });
      logs.push(text);
      appendFileSync(logFile, `${new Date().toISOString()} ${text}\n`);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const apiUrl = `http://127.0.0.1:${api}`;

  const children = () => {
    try {
      return execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(child.pid)])
        .toString()
        .split('\n')
        .filter(Boolean)
        .map((l) => ({ pid: Number(l.trim().split(/\s+/)[0]), args: l }));
    } catch {
      return []; // ps exits 1 when there are none
    }
  };
  const launcher: Launcher = {
    apiUrl,
    get token() {
      return token;
    },
    dataDir,
    ports: [api, temporal, ui, pg],
    lines,
    logs,
    api(pathname, init = {}) {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${token}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(init.json);
      }
      return fetch(`${apiUrl}${pathname}`, { ...init, headers, body });
    },
    pid: (service) => children().find((c) => c.args.includes(SERVICES[service]))?.pid,
    kill(service) {
      const pid = launcher.pid(service);
      if (!pid) throw new Error(`${service} is not running under the launcher`);
      process.kill(pid, 'SIGKILL');
      return Date.now();
    },
    hold: (service) => writeFile(path.join(holdDir, service), ''),
    release: (service) => rm(path.join(holdDir, service), { force: true }),
    async waitForLine(pattern, since, timeoutMs) {
      let found: LauncherLine | undefined;
      await waitFor(
        `launcher line ${pattern}`,
        async () => {
          found = lines.find((l) => l.at >= since && pattern.test(l.text));
          return Boolean(found);
        },
        timeoutMs,
        100,
      );
      return found!;
    },
    async interrupt() {
      process.kill(-child.pid!, 'SIGINT');
      return exited;
    },
    async stop({ keepData = false } = {}) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        const timer = setTimeout(() => {
          for (const c of children()) process.kill(c.pid, 'SIGKILL');
          child.kill('SIGKILL');
        }, 60_000);
        await exited;
        clearTimeout(timer);
      }
      if (!keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.race([
      waitFor(
        'the launcher to say "MoonMind is ready"',
        async () => lines.some((l) => l.text.includes('MoonMind is ready')),
        240_000,
        250,
      ),
      exited.then((code) => {
        throw new Error(`the launcher exited (${code}) before it was ready`);
      }),
    ]);
    if (opts.printedToken) {
      // The token is on the line after "sign in with this admin API token", indented.
      const at = lines.findIndex((l) => l.text.includes('sign in with this admin API token'));
      token =
        lines
          .slice(at + 1)
          .find((l) => l.text.trim())
          ?.text.trim() ?? '';
      if (at < 0 || !token) throw new Error('the launcher printed no admin token');
    }
  } catch (err) {
    await launcher.stop();
    throw new Error(`${(err as Error).message}\n${logs.slice(-30).join('\n')}`);
  }
  return launcher;
}
