import postgres from 'postgres';

export type Sql = postgres.Sql;

export interface SqlOptions {
  schema?: string;
  max?: number;
  /** Give up connecting after this many seconds (the client's default is 30). */
  connectTimeoutS?: number;
  /** The server cancels any statement running longer (SQLSTATE 57014); none by default. */
  statementTimeoutMs?: number;
}

/**
 * One `postgres` client factory for the API, control worker, launcher and tests. `schema` isolates test
 * runs (each test file gets its own search_path); production uses the default `public`.
 */
export function createSql(url: string, options: SqlOptions = {}): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    ...(options.connectTimeoutS ? { connect_timeout: options.connectTimeoutS } : {}),
    connection: {
      ...(options.schema ? { search_path: options.schema } : {}),
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    },
    transform: { undefined: null },
  });
}
