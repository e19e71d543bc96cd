import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSql } from '../../db/client.ts';
import { migrate, migrationStatus } from '../../db/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

describe('migrations (real PostgreSQL)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('are recorded in schema_migrations and applying again changes nothing', async () => {
    const status = await migrationStatus(db.sql);
    expect(status.pending).toEqual([]);
    expect(status.applied[0]).toBe('001_initial.sql');
    expect(await migrate(db.sql)).toEqual([]);
    const tables =
      await db.sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`;
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining([
        'users',
        'api_tokens',
        'worker_pools',
        'job_events',
        'artifacts',
        'schema_migrations',
      ]),
    );
  });

  it('two starters migrating one fresh database at once apply each file exactly once', async () => {
    const admin = createSql(inject('adminDatabaseUrl'), { max: 1 });
    const name = `mm_test_fresh_${Date.now()}`;
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const url = new URL(inject('adminDatabaseUrl'));
    url.pathname = `/${name}`;
    const a = createSql(url.toString());
    const b = createSql(url.toString());
    try {
      const [ra, rb] = await Promise.all([migrate(a), migrate(b)]);
      const all = (await migrationStatus(a)).applied;
      expect([...ra, ...rb].sort()).toEqual(all);
    } finally {
      await a.end();
      await b.end();
      await admin.unsafe(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
