import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { createSql, type Sql } from '../db/client.ts';

/**
 * The vector database (spec 07): MOONMIND_VECTOR_DATABASE_URL names a PostgreSQL with the `vector`
 * extension; unset, the embedded default is PGlite with pgvector, data under `<MOONMIND_DATA_DIR>/vector`,
 * served over a local socket so the same `postgres` client and the same SQL work in both cases.
 */

export interface EmbeddedVectorServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts PGlite+pgvector on a local port. The launcher starts one and hands its URL to the API and the
 * workers (each connects with one connection: the socket server queues statements, one at a time).
 */
export async function startEmbeddedVectorServer(opts: {
  dataDir: string;
  port?: number;
  host?: string;
  /** Client connections accepted at once (one per process using it). */
  maxConnections?: number;
}): Promise<EmbeddedVectorServer> {
  const dir = path.join(path.resolve(opts.dataDir), 'vector');
  await mkdir(dir, { recursive: true });
  const db = await PGlite.create({ dataDir: dir, extensions: { vector } });
  await db.exec('CREATE EXTENSION IF NOT EXISTS vector');
  const host = opts.host ?? '127.0.0.1';
  const server = new PGLiteSocketServer({
    db,
    host,
    port: opts.port ?? 0,
    maxConnections: opts.maxConnections ?? 1,
  });
  await server.start();
  const [, port] = server.getServerConn().split(':');
  return {
    url: `postgres://postgres@${host}:${port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

export interface VectorDb {
  sql: Sql;
  /** True when this process started its own embedded server (no URL given). */
  embedded: boolean;
  close(): Promise<void>;
}

/**
 * A client for the vector database: the given URL (the setting, or the launcher's embedded server), else an
 * in-process embedded server of its own (tests, a process started without the launcher).
 */
export async function openVectorDb(opts: { url?: string; dataDir: string }): Promise<VectorDb> {
  const own = opts.url ? null : await startEmbeddedVectorServer({ dataDir: opts.dataDir });
  const url = opts.url ?? (own as EmbeddedVectorServer).url;
  // One connection: the embedded server serves one statement at a time, and a pool would only queue there.
  const sql = createSql(url, { max: 1 });
  try {
    await sql`CREATE EXTENSION IF NOT EXISTS vector`;
  } catch (err) {
    await sql.end();
    await own?.stop();
    throw new Error(`the vector database has no "vector" extension (pgvector): ${(err as Error).message}`);
  }
  return {
    sql,
    embedded: own !== null,
    async close() {
      await sql.end();
      await own?.stop();
    },
  };
}
