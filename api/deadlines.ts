import {
  type ConnectionOptions,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
} from '@temporalio/client';

/**
 * How long the API waits for its dependencies before answering 503: a caller gets a prompt "retry later"
 * instead of a request that hangs while Temporal or PostgreSQL is down (docs/architecture.md, "Deadlines").
 */
export const TEMPORAL_CALL_DEADLINE_MS = 3_000;
export const PG_CONNECT_TIMEOUT_S = 3;
export const PG_STATEMENT_TIMEOUT_MS = 3_000;
/** After failed connects the pool waits at most this long before trying again (so a 503 stays prompt). */
export const PG_MAX_RECONNECT_DELAY_S = 0.5;

type GrpcInterceptor = NonNullable<ConnectionOptions['interceptors']>[number];

/**
 * Every gRPC call without a deadline of its own gets one. It is outermost, so the SDK's retries (on
 * UNAVAILABLE, UNKNOWN, …) happen inside it and end at the deadline too.
 */
const callDeadline =
  (ms: number): GrpcInterceptor =>
  (options, nextCall) =>
    // grpc-js takes any intercepting call back; its type names the class, which is not ours to import.
    nextCall({ ...options, deadline: options.deadline ?? Date.now() + ms }) as ReturnType<GrpcInterceptor>;

/** The API's Temporal connection: the SDK's default retries, bounded by the per-call deadline. */
export const temporalConnectionOptions = (address: string): ConnectionOptions => ({
  address,
  interceptors: [
    callDeadline(TEMPORAL_CALL_DEADLINE_MS),
    makeGrpcRetryInterceptor(defaultGrpcRetryOptions()),
  ],
});

/**
 * The API's PostgreSQL pool: a connect timeout, a statement timeout (migrations lift it for themselves) and
 * a short reconnect delay.
 */
export const apiSqlOptions = {
  max: 10,
  connectTimeoutS: PG_CONNECT_TIMEOUT_S,
  statementTimeoutMs: PG_STATEMENT_TIMEOUT_MS,
  maxReconnectDelayS: PG_MAX_RECONNECT_DELAY_S,
};
