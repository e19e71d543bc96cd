import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, open, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { createSql } from '../db/client.ts';
import { watchChild } from './child.ts';
import { stopLeftover } from './leftovers.ts';
import { waitFor } from './ports.ts';

const run = promisify(execFile);

export interface EmbeddedPostgres {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** The machine's PostgreSQL server binaries: pg_config's bindir, else the newest /usr/lib/postgresql/<v>/bin. */
export async function findPostgresBinaries(): Promise<string | null> {
  const hasServer = (dir: string) =>
    existsSync(path.join(dir, 'postgres')) && existsSync(path.join(dir, 'initdb'));
  try {
    const { stdout } = await run('pg_config', ['--bindir']);
    if (hasServer(stdout.trim())) return stdout.trim();
  } catch {}
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? (await readdir(base)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (hasServer(path.join(base, v, 'bin'))) return path.join(base, v, 'bin');
  return null;
}

/** PostgreSQL refuses to run as root: run it as the `postgres` system user then (spawned with its uid/gid). */
async function serverUser(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) =>
    run('id', [flag, 'postgres']).then(
      (r) => Number(r.stdout.trim()),
      () => {
        throw new Error(
          'running as root needs a `postgres` system user for the embedded PostgreSQL (or set DATABASE_URL)',
        );
      },
    );
  return { uid: await id('-u'), gid: await id('-g') };
}

/**
 * A PostgreSQL cluster of our own under `<dataDir>/postgres`, made with the machine's binaries on first
 * start and reused afterwards (data survives restarts). It listens on loopback only and runs as a child
 * of the launcher, so one Ctrl-C stops it with everything else.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log?: (l: string) => void;
}): Promise<EmbeddedPostgres> {
  const bin = await findPostgresBinaries();
  if (!bin) {
    throw new Error(
      'No PostgreSQL server binaries found (install the `postgresql` package) and DATABASE_URL is not set',
    );
  }
  const pgdata = path.resolve(opts.dataDir, 'postgres');
  const user = await serverUser();
  const own = async (p: string) => {
    if (user.uid !== undefined) await chown(p, user.uid, user.gid!);
  };
  await mkdir(path.resolve(opts.dataDir), { recursive: true });
  if (user.uid !== undefined) {
    // The server user must be able to pass through the data dir (not list it) to reach its cluster.
    const { mode } = await stat(path.resolve(opts.dataDir));
    await chmod(path.resolve(opts.dataDir), mode | 0o001);
  }
  if (!existsSync(path.join(pgdata, 'PG_VERSION'))) {
    opts.log?.(`initialising PostgreSQL cluster in ${pgdata}`);
    await mkdir(pgdata, { recursive: true, mode: 0o700 });
    await own(pgdata);
    const initdb = ['-D', pgdata, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C'];
    await run(path.join(bin, 'initdb'), initdb, { timeout: 120_000, ...user, cwd: pgdata }).catch(
      (err: Error & { stderr?: string }) => {
        throw new Error(`initdb failed: ${err.stderr?.trim() || err.message}`);
      },
    );
  }
  // postmaster.pid's first line is the server's pid.
  await stopLeftover(path.join(pgdata, 'postmaster.pid'), pgdata, opts.log);
  // Loopback is reachable by every local user, agent CLIs included: TCP takes the password. The socket
  // sits in the cluster's own 0700 directory, where only the server user (and root) can reach it.
  await writeFile(
    path.join(pgdata, 'pg_hba.conf'),
    'local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n',
  );
  await own(path.join(pgdata, 'pg_hba.conf'));
  const password = await serverPassword(opts.dataDir);
  const logPath = path.resolve(opts.dataDir, 'postgres.log');
  await writeFile(logPath, '', { flag: 'a' });
  await own(logPath);
  const log = await open(logPath, 'a');
  const args = [
    '-D',
    pgdata,
    '-p',
    String(opts.port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${pgdata}`,
    '-c',
    'max_connections=200',
  ];
  const child = spawn(path.join(bin, 'postgres'), args, {
    stdio: ['ignore', log.fd, log.fd],
    cwd: pgdata,
    ...user,
  });
  const watched = watchChild(child, () => void log.close());
  // SIGINT is PostgreSQL's "fast" shutdown.
  const stop = () => watched.stop('SIGINT', 20_000);
  const adminUrl = `postgres://postgres:${password}@127.0.0.1:${opts.port}/postgres`;
  try {
    await waitFor(
      `PostgreSQL on port ${opts.port} (log: ${logPath})`,
      async () => {
        if (watched.exited) throw new Error(`postgres exited early; see ${logPath}`);
        // Over the socket: the password may not be set yet (a new cluster, or one an earlier version made).
        const sql = postgres({
          host: pgdata,
          port: opts.port,
          user: 'postgres',
          database: 'postgres',
          max: 1,
          onnotice: () => {},
        });
        try {
          await sql.unsafe(`ALTER ROLE postgres PASSWORD '${password}'`);
          return true;
        } finally {
          await sql.end({ timeout: 1 });
        }
      },
      60_000,
      300,
    );
    await ensureDatabase(adminUrl, 'moonmind');
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `postgres://postgres:${password}@127.0.0.1:${opts.port}/moonmind`, process: child, stop };
}

/** The cluster's password, made on first use and kept beside it, readable by the launcher's user only. */
async function serverPassword(dataDir: string): Promise<string> {
  const file = path.resolve(dataDir, 'postgres-password');
  const kept = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (kept) return kept;
  // base64url: safe inside a URL and a SQL string literal as it is.
  const made = randomBytes(24).toString('base64url');
  await writeFile(file, `${made}\n`, { mode: 0o600 });
  return made;
}

/** CREATE DATABASE when missing (no IF NOT EXISTS for databases in PostgreSQL). */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const sql = createSql(adminUrl, { max: 1 });
  try {
    const [row] = await sql`SELECT 1 AS found FROM pg_database WHERE datname = ${name}`;
    if (!row) await sql.unsafe(`CREATE DATABASE "${name.replaceAll('"', '')}"`);
  } finally {
    await sql.end({ timeout: 1 });
  }
}
