import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Sql } from './client.ts';

const migrationsDir = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

/** Files named `NNN_name.sql`, in order. */
async function migrationFiles(): Promise<string[]> {
  return (await readdir(migrationsDir)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
}

/**
 * Apply pending migrations, each in its own transaction, recorded in `schema_migrations`. An advisory lock
 * keeps concurrent starters (API, launcher, tests) from applying the same file twice.
 */
export async function migrate(sql: Sql): Promise<string[]> {
  const applied: string[] = [];
  await sql.reserve().then(async (conn) => {
    try {
      // Waiting for another starter's lock and applying a file may take longer than a pool's statement timeout.
      await conn`SET statement_timeout = 0`;
      await conn`SELECT pg_advisory_lock(4242001)`;
      await conn`CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;
      const done = new Set((await conn`SELECT name FROM schema_migrations`).map((r) => r.name as string));
      for (const file of await migrationFiles()) {
        if (done.has(file)) continue;
        const text = await readFile(migrationsDir + file, 'utf8');
        await conn.unsafe('BEGIN');
        try {
          await conn.unsafe(text);
          await conn`INSERT INTO schema_migrations (name) VALUES (${file})`;
          await conn.unsafe('COMMIT');
        } catch (err) {
          await conn.unsafe('ROLLBACK');
          throw new Error(`migration ${file} failed: ${(err as Error).message}`);
        }
        applied.push(file);
      }
    } finally {
      await conn`SELECT pg_advisory_unlock(4242001)`;
      await conn`RESET statement_timeout`;
      conn.release();
    }
  });
  return applied;
}

/** Applied and pending files; a database that cannot be reached is an error, not "everything pending". */
export async function migrationStatus(sql: Sql): Promise<MigrationStatus> {
  const files = await migrationFiles();
  const rows = await sql`SELECT name FROM schema_migrations`.catch((err: { code?: string }) => {
    // 42P01 undefined_table: nothing was ever migrated here.
    if (err.code === '42P01') return [] as { name: string }[];
    throw err;
  });
  const done = new Set(rows.map((r) => r.name as string));
  return { applied: files.filter((f) => done.has(f)), pending: files.filter((f) => !done.has(f)) };
}
