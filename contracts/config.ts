import { z } from 'zod';
import { isSecretReference, parseGitHosts } from './repository.ts';
import { publishModes, runtimes } from './task.ts';

/**
 * Every setting the product reads, one place. `loadConfig` validates process.env with this schema at
 * start; a bad value stops start with a message naming the variable. The README's table documents these.
 */
const port = z.coerce.number().int().min(1).max(65535);
const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);
/** The forge settings the API (submission checks, policy) and the workers (clone, push, PRs) both read. */
const forgeSettings = {
  MOONMIND_GIT_BASE_URL: z
    .string()
    .regex(/^(https?|file):\/\/\S+$/, 'must be an https:// (or http://, file://) base URL')
    .default('https://github.com'),
  MOONMIND_GIT_HOSTS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const parsed = parseGitHosts(value);
      if ('error' in parsed) {
        ctx.addIssue({ code: 'custom', message: parsed.error });
        return z.NEVER;
      }
      return parsed.hosts;
    }),
};
/**
 * OpenTelemetry traces (the standard variables; lib/tracing.ts): set an endpoint and the API and the workers
 * export spans over OTLP/HTTP; unset, tracing is off. Headers (OTEL_EXPORTER_OTLP_HEADERS) are read by the
 * exporter alone and never logged.
 */
const traceSettings = {
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .optional(),
  OTEL_SERVICE_NAME: z.string().min(1).max(100).optional(),
};
/** A duration: `90` (seconds), `500ms`, `90s`, `15m`, `8h`; in milliseconds. */
const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h)?$/, 'must be a duration such as 90s, 15m or 8h')
  .transform((v) => {
    const [, n, unit] = /^(\d+)(ms|s|m|h)?$/.exec(v)!;
    return Number(n) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[(unit ?? 's') as 'ms' | 's' | 'm' | 'h'];
  })
  .refine((ms) => ms > 0, 'must be more than zero');
/**
 * Where a runtime's model lives: an http(s) base URL without credentials (the key travels separately, as a
 * secret reference), so it may be shown in argv, logs and `doctor` output.
 */
const modelEndpoint = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .refine(
    (u) => !new URL(u).username && !new URL(u).password,
    'must not hold credentials (use the _API_KEY_REF)',
  )
  .transform((u) => u.replace(/\/+$/, ''))
  .optional();
const keyRef = z
  .string()
  .refine(isSecretReference, 'must be a secret reference (env://NAME, vault://mount/path#field)')
  .optional();
/** The token Prometheus sends (`Authorization: Bearer …`) to read /metrics: the API's and the workers'. */
const metricsToken = {
  MOONMIND_METRICS_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .max(512, 'must be at most 512 characters')
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (it travels in an Authorization header)')
    .optional(),
};
/** `host:port`, `[v6]:port`: a listen address of its own. */
const listenAddress = z.string().transform((value, ctx) => {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(value);
  const port = Number(m?.[3]);
  if (!m || port < 1 || port > 65535) {
    ctx.addIssue({ code: 'custom', message: 'must be host:port (e.g. 0.0.0.0:9464 or [::1]:9464)' });
    return z.NEVER;
  }
  return { host: m[1] ?? m[2], port };
});
/**
 * Vault (KV v2) for `vault://mount/path#field` references, resolved at the last moment: on the worker for
 * forge and model credentials, on the API for a protected service's approval token.
 */
const vaultSettings = {
  MOONMIND_VAULT_ADDR: z.url().optional(),
  MOONMIND_VAULT_TOKEN: z.string().min(1).optional(),
  MOONMIND_VAULT_TOKEN_FILE: z.string().min(1).optional(),
  MOONMIND_VAULT_NAMESPACE: z.string().min(1).optional(),
};
/** Orchestrator runs (spec 08; lib/service-profiles.ts): the YAML file of service profiles; unset, no services. */
const serviceSettings = {
  MOONMIND_SERVICE_PROFILES: z.string().min(1).optional(),
};
/**
 * Manifest runs' vector database (spec 07, lib/vector-db.ts): a PostgreSQL with the `vector` extension.
 * Unset: embedded PGlite with pgvector under <MOONMIND_DATA_DIR>/vector (`npm start` serves one to all).
 */
const vectorSettings = {
  MOONMIND_VECTOR_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
};
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
/** Whole minutes, at most a day. */
const minutes = z.coerce
  .number()
  .int()
  .min(1)
  .max(24 * 60);
const onOff = z.enum(['on', 'off'], { error: 'must be on or off' }).transform((v) => v === 'on');

export const configSchema = z.object({
  MOONMIND_DATA_DIR: z.string().min(1).default('./.data'),
  PORT: port.default(8080),
  MOONMIND_HOST: z.string().min(1).default('127.0.0.1'),
  MOONMIND_PUBLIC_URL: z.url().optional(),
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  TEMPORAL_UI_URL: z.url().optional(),
  MOONMIND_TEMPORAL_PORT: port.default(7233),
  MOONMIND_TEMPORAL_UI_PORT: port.default(8233),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  MOONMIND_PG_PORT: port.default(55432),
  ...vectorSettings,
  /** Any value of this shape signs in as admin (operators paste tokens from their own secret stores). */
  MOONMIND_ADMIN_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .max(512, 'must be at most 512 characters')
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (it travels in an Authorization header)')
    .optional(),
  MOONMIND_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MOONMIND_SKILLS_DIR: z.string().min(1).default('./skills'),
  /** `npm start` with the demo on and this unset makes it `demo` (scripts/demo.ts). */
  MOONMIND_DEFAULT_RUNTIME: z.enum(runtimes).default('codex'),
  MOONMIND_DEFAULT_REPOSITORY: z.string().optional(),
  /** The submit form's publish mode; `npm start` with the demo on and this unset makes it `branch`. */
  MOONMIND_DEFAULT_PUBLISH_MODE: z.enum(publishModes).default('pr'),
  /**
   * The first-run demo (scripts/demo.ts): a local demo repository and the scripted `demo` runtime, no model
   * and no forge needed. Unset: on when `npm start` runs the embedded PostgreSQL (DATABASE_URL unset).
   */
  MOONMIND_DEMO: onOff.optional(),
  /** Dev/test: manifest jobs may name a YAML file on the server (`source.kind: path`); refused when off. */
  MOONMIND_MANIFEST_PATH_SOURCES: onOff.default(false),
  MOONMIND_EMBEDDED_WORKERS: z.coerce.number().int().min(0).max(16).default(1),
  /** Tests (`npm run chaos`): `npm start` does not restart a crashed service while `<dir>/<name>` exists. */
  MOONMIND_RESTART_HOLD_DIR: z.string().min(1).optional(),
  MOONMIND_SECURE_COOKIES: bool.optional(),
  MOONMIND_OIDC_ISSUER: z.url().optional(),
  MOONMIND_OIDC_AUDIENCE: z.string().optional(),
  MOONMIND_OIDC_ROLES_CLAIM: z.string().default('roles'),
  /** Browser sign-in (authorization code + PKCE) is offered when the issuer and this client id are set. */
  MOONMIND_OIDC_CLIENT_ID: z.string().min(1).optional(),
  /** Confidential clients only (sent with HTTP Basic to the token endpoint); never logged. */
  MOONMIND_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** Shown as "Sign in with <name>"; defaults to the issuer's host. */
  MOONMIND_OIDC_NAME: z.string().min(1).max(60).optional(),
  MOONMIND_OIDC_SCOPES: z.string().min(1).default('openid profile email'),
  /** Largest artifact upload accepted (bytes). */
  MOONMIND_MAX_ARTIFACT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(100 * 1024 * 1024),
  /** Creation requests (submit, control, tokens) per identity per minute; also the burst size. */
  MOONMIND_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  MOONMIND_SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(720).default(12),
  /** Most steps one preset expansion may produce (spec 06). */
  MOONMIND_PRESET_MAX_STEPS: z.coerce.number().int().min(1).max(50).default(25),
  /** Proposals one identity (a worker token, a user) may create per minute; also the burst (spec 05). */
  MOONMIND_PROPOSALS_RATE_PER_MIN: z.coerce.number().int().min(1).default(30),
  /**
   * Prometheus metrics (docs/metrics.md): GET /metrics is served only when one of these is set: on the
   * API port behind the token, and/or on a listener of its own (behind the token too when one is set).
   */
  ...metricsToken,
  MOONMIND_METRICS_LISTEN: listenAddress.optional(),
  /** A live terminal session ends this long after it was created (spec 04). */
  MOONMIND_LIVE_SESSION_TTL_MINUTES: minutes.default(60),
  /** A write grant (and a takeover) lasts this long unless the request asks for less or more. */
  MOONMIND_LIVE_SESSION_WRITE_MINUTES: minutes.default(15),
  /** The longest write grant a request may ask for. */
  MOONMIND_LIVE_SESSION_WRITE_MAX_MINUTES: minutes.default(60),
  /** How long a protected service's orchestrator run waits for an approval before it fails (spec 08). */
  MOONMIND_ORCHESTRATOR_APPROVAL_TIMEOUT: duration.prefault('24h'),
  ...vaultSettings,
  ...forgeSettings,
  ...traceSettings,
  ...serviceSettings,
});

export type Config = z.infer<typeof configSchema>;

/** What a worker holds for itself and an agent CLI must never be handed (MOONMIND_AGENT_ENV). */
const workerSecrets = /^(MOONMIND_|TEMPORAL_)|^(DATABASE_URL|GITHUB_TOKEN|GH_TOKEN)$/;

/** Settings a worker process reads (in addition to TEMPORAL_* above). */
export const workerConfigSchema = z.object({
  MOONMIND_API_URL: z.url().default('http://127.0.0.1:8080'),
  MOONMIND_WORKER_TOKEN: z.string().min(16, 'must be a worker token').optional(),
  MOONMIND_WORKER_POOL: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits, dashes')
    .optional(),
  MOONMIND_WORKER_CAPABILITIES: csv.default(['codex', 'git']),
  MOONMIND_WORKER_JOB_TYPES: csv.default(['task']),
  MOONMIND_WORKER_REPOSITORIES: csv.default(['*']),
  MOONMIND_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /**
   * This worker's host id (its own task queue). Default: derived from the pool, the machine and the
   * workspace dir, so a restarted worker is the same host and fails over the attempts it lost at once.
   */
  MOONMIND_WORKER_HOST_ID: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits, dashes (at most 63)')
    .optional(),
  /**
   * How long a running step keeps going while Temporal is unreachable: its heartbeats resume after; only a
   * longer outage fails the attempt. Dead workers are found by their missing pings to the API instead.
   */
  MOONMIND_TEMPORAL_OUTAGE_GRACE: duration
    .refine((ms) => ms >= 20_000, 'must be at least 20s')
    .prefault('2m'),
  MOONMIND_WORKSPACE_DIR: z.string().min(1).default('./.data/workspaces'),
  /** Where an embedded vector database lives when neither the setting nor the launcher names one. */
  MOONMIND_DATA_DIR: z.string().min(1).default('./.data'),
  ...vectorSettings,
  /** Serve GET /metrics (ours and the Temporal SDK's runtime metrics) on this port; unset: none. */
  MOONMIND_WORKER_METRICS_PORT: port.optional(),
  MOONMIND_WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  ...metricsToken,
  MOONMIND_SKILLS_DIR: z.string().min(1).default('./skills'),
  ...forgeSettings,
  MOONMIND_GITHUB_API_URL: z.url().default('https://api.github.com'),
  ...vaultSettings,
  /** Forge token for push and pull requests (GITHUB_TOKEN / GH_TOKEN are read as fallbacks); never logged. */
  MOONMIND_GIT_TOKEN: z.string().min(1).optional(),
  /** Advertise the scripted `demo` runtime (when claimed): `npm start` turns it on for its workers with the demo. */
  MOONMIND_DEMO: onOff.default(false),
  MOONMIND_CODEX_COMMAND: z.string().min(1).default('codex'),
  MOONMIND_GEMINI_COMMAND: z.string().min(1).default('gemini'),
  MOONMIND_CLAUDE_COMMAND: z.string().min(1).default('claude'),
  // Models the pinned CLIs know (codex 0.171 warns about unknown names): codex's own default and first-listed
  // model, Claude Code 2.1.197's `sonnet`, Gemini CLI 0.61's default.
  MOONMIND_CODEX_MODEL: z.string().min(1).default('gpt-6.2-sol'),
  MOONMIND_GEMINI_MODEL: z.string().min(1).default('gemini-2.5-pro'),
  MOONMIND_CLAUDE_MODEL: z.string().min(1).default('claude-sonnet-5'),
  /** Each runtime's model endpoint (unset: the vendor's, with the CLI's own login) and its key's reference. */
  MOONMIND_CODEX_BASE_URL: modelEndpoint,
  MOONMIND_CLAUDE_BASE_URL: modelEndpoint,
  MOONMIND_GEMINI_BASE_URL: modelEndpoint,
  MOONMIND_CODEX_API_KEY_REF: keyRef,
  MOONMIND_CLAUDE_API_KEY_REF: keyRef,
  MOONMIND_GEMINI_API_KEY_REF: keyRef,
  /** Retries of a failed model request before a step fails: the CLIs' defaults wait minutes on a dead endpoint. */
  MOONMIND_AGENT_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  MOONMIND_DEFAULT_EFFORT: z.enum(['low', 'medium', 'high']).default('high'),
  /** How long a failed or cancelled attempt's workspace is kept for inspection (a succeeded one is removed). */
  MOONMIND_WORKSPACE_RETENTION_HOURS: z.coerce
    .number()
    .min(0)
    .max(24 * 365)
    .default(24),
  /** A step that prints nothing for this long is stopped and fails ("no output for 15 minutes"). */
  MOONMIND_STEP_IDLE_TIMEOUT: duration.prefault('15m'),
  /** A step that runs longer than this (hard-paused time not counted) is stopped and fails; at most 23h. */
  MOONMIND_STEP_TIMEOUT: duration.refine((ms) => ms <= 23 * 3_600_000, 'must be at most 23h').prefault('8h'),
  /** The unprivileged user agent CLIs run as when the worker runs as root (created at start if missing). */
  MOONMIND_AGENT_USER: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'must be a system user name')
    .default('moonmind-agent'),
  /**
   * Extra variable names passed to the agent beyond its runtime's own (proxies, CA bundles); never the
   * worker's own settings or credentials.
   */
  MOONMIND_AGENT_ENV: csv
    .refine(
      (names) => names.every((n) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(n)),
      'variable names, comma-separated',
    )
    .refine(
      (names) => !names.some((n) => workerSecrets.test(n)),
      "must not name the worker's own settings or credentials (MOONMIND_*, TEMPORAL_*, DATABASE_URL, GITHUB_TOKEN, GH_TOKEN)",
    )
    .default([]),
  ...traceSettings,
  ...serviceSettings,
  /**
   * Live terminal sessions (spec 04): `off` runs steps headless; `on-demand` runs each step's runtime under a
   * pseudo-terminal and streams it once an operator opens a session; `always` opens one for every step.
   */
  MOONMIND_LIVE_SESSIONS: z.enum(['off', 'on-demand', 'always']).default('on-demand'),
  /** Live sessions this worker streams at once; the API answers 409 over it. */
  MOONMIND_LIVE_SESSIONS_PER_WORKER: z.coerce.number().int().min(0).max(256).default(4),
  /** The docker CLI the compose runner calls (`docker`, `/usr/local/bin/docker`, `node docker-double.mjs`). */
  MOONMIND_DOCKER_COMMAND: z.string().min(1).default('docker'),
  /** The agent runtime of orchestrator runs' analyze and patch steps (its command and model as above). */
  MOONMIND_ORCHESTRATOR_RUNTIME: z.enum(['codex', 'gemini', 'claude']).default('codex'),
});
export type WorkerConfig = z.infer<typeof workerConfigSchema>;

/**
 * Settings the user CLI (`moonmind submit|list|logs …`) reads; a config file (MOONMIND_CONFIG, else
 * ~/.config/moonmind/config.json) may hold the URL and token instead (cli/settings.ts).
 */
export const cliConfigSchema = z.object({
  MOONMIND_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  /** A user API token (the admin's, or one `moonmind user create` printed); never printed by the CLI. */
  MOONMIND_TOKEN: z.string().min(16, 'must be an API token').optional(),
  MOONMIND_CONFIG: z.string().min(1).optional(),
});
export type CliConfig = z.infer<typeof cliConfigSchema>;

export class ConfigError extends Error {}

/** Parse an environment with a schema; the error names each offending variable. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

export const loadConfig = (env?: NodeJS.ProcessEnv): Config => parseEnv(configSchema, env);
export const loadWorkerConfig = (env?: NodeJS.ProcessEnv): WorkerConfig => parseEnv(workerConfigSchema, env);
