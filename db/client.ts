import postgres from 'postgres';

export type Sql = postgres.Sql;

/**
 * One `postgres` client factory for the API, control worker, launcher and tests. `schema` isolates test
 * runs (each test file gets its own search_path); production uses the default `public`.
 */
export function createSql(url: string, options: { schema?: string; max?: number } = {}): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connection: options.schema ? { search_path: options.schema } : {},
    transform: { undefined: null },
  });
}
