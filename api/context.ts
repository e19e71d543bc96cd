import type { Client } from '@temporalio/client';
import type { ParameterizedContext } from 'koa';
import type { Logger } from 'pino';
import type { Config } from '../contracts/config.ts';
import type { Sql } from '../db/client.ts';
import type { MetricsSource } from '../lib/metrics/serve.ts';
import type { ServiceProfiles } from '../lib/service-profiles.ts';
import type { ArtifactStore } from './artifacts/store.ts';
import type { Identity } from './auth/identity.ts';
import type { EventHub } from './events/hub.ts';
import type { JobMetaCache } from './jobs/meta.ts';
import type { LiveRelay } from './live/relay.ts';
import type { SkillCatalog } from './skills.ts';

/** Everything the routes use, built once by `startApi` (or by a test) and passed to `createApp`. */
export interface ApiDeps {
  config: Config;
  sql: Sql;
  client: Client;
  logger: Logger;
  artifacts: ArtifactStore;
  hub: EventHub;
  skills: SkillCatalog;
  jobMeta: JobMetaCache;
  /** Verifies OIDC bearer JWTs when MOONMIND_OIDC_ISSUER is set. */
  oidc: ((token: string) => Promise<Identity | null>) | null;
  /** Built dashboard to serve at `/` (null: none). */
  webDir: string | null;
  /** SSE heartbeat period (tests shorten it). */
  sseHeartbeatMs: number;
  /** What /metrics serves, when metrics are on (MOONMIND_METRICS_TOKEN or MOONMIND_METRICS_LISTEN). */
  metrics?: MetricsSource;
  /** Live terminal sessions: the sockets of every job (docs/live-sessions.md). */
  live: LiveRelay;
  /** The service profiles orchestrator runs may act on (MOONMIND_SERVICE_PROFILES; empty when unset). */
  services: ServiceProfiles;
}

export interface ApiState {
  requestId: string;
  identity: Identity | null;
  /** Sign-in cookie value, when one was presented and valid. */
  sessionId: string | null;
  /** The matched route's table path (`/api/queue/jobs/{jobId}`): the metrics' route label. */
  route?: string;
  input: {
    params: Record<string, unknown>;
    query: Record<string, unknown>;
    headers: Record<string, unknown>;
    body: unknown;
  };
}

export type ApiContext = ParameterizedContext<ApiState>;
