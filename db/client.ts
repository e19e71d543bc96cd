import postgres from 'postgres';

export type Sql = postgres.Sql;

export interface SqlOptions {
  schema?: string;
  max?: number;
  /** Give up connecting after this many seconds (the client's default is 30). */
  connectTimeoutS?: number;
  /** The server cancels any statement running longer (SQLSTATE 57014); none by default. */
  statementTimeoutMs?: number;
  /**
   * Longest wait before a pool connection tries again after failed connects. The client's own delay grows
   * with every failure of the pool, to 10–20 s, and a query waits it out before even trying: during an
   * outage requests would hang that long instead of failing at once.
   */
  maxReconnectDelayS?: number;
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
    ...(options.maxReconnectDelayS !== undefined
      ? { backoff: reconnectDelay(options.maxReconnectDelayS) }
      : {}),
    connection: {
      ...(options.schema ? { search_path: options.schema } : {}),
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    },
    transform: { undefined: null },
  });
}

/** The client's default reconnect delay (seconds, jittered, growing 3× per failure), capped. */
const reconnectDelay = (maxS: number) => (retries: number) =>
  Math.min(maxS, (0.5 + Math.random() / 2) * Math.min(3 ** retries / 100, 20));
