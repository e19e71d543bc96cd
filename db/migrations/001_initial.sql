-- Initial schema. Applied migrations are never edited: add a new numbered file instead.

CREATE TABLE users (
  id uuid PRIMARY KEY,
  name text NOT NULL UNIQUE,
  role text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  created_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz
);

-- Bearer tokens for users and workers; only a SHA-256 hash of the token is stored.
CREATE TABLE api_tokens (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('user', 'worker')),
  user_id uuid REFERENCES users(id),
  name text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  token_prefix text NOT NULL,
  -- worker policy scope: { jobTypes: [], repositories: [], capabilities: [], scopes: [] }
  scope jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  CHECK ((kind = 'user') = (user_id IS NOT NULL))
);

-- Browser sessions (cookie holds the random id; only its hash is stored).
CREATE TABLE sessions (
  id_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users(id),
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);

-- What each worker pool serves; routing reads it, liveness comes from Temporal pollers.
CREATE TABLE worker_pools (
  task_queue text PRIMARY KEY,
  pool text NOT NULL,
  capabilities text[] NOT NULL,
  job_types text[] NOT NULL,
  repositories text[] NOT NULL,
  token_id uuid REFERENCES api_tokens(id),
  hosts jsonb NOT NULL DEFAULT '{}'::jsonb,
  registered_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Job events, ordered per job by id. (producer, seq) makes worker batches idempotent.
CREATE TABLE job_events (
  id bigserial PRIMARY KEY,
  job_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  level text NOT NULL CHECK (level IN ('debug', 'info', 'warn', 'error')),
  type text NOT NULL,
  message text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  producer text NOT NULL,
  seq bigint NOT NULL,
  UNIQUE (job_id, producer, seq)
);
CREATE INDEX job_events_job_id_id ON job_events (job_id, id);

CREATE TABLE artifacts (
  id uuid PRIMARY KEY,
  job_id uuid NOT NULL,
  name text NOT NULL,
  size bigint NOT NULL,
  content_type text NOT NULL,
  sha256 text NOT NULL,
  storage_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (job_id, name)
);

CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor_kind text NOT NULL,
  actor_id text NOT NULL,
  action text NOT NULL,
  target text,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb
);
