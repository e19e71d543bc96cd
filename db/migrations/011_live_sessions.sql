-- Live terminal sessions (docs/live-sessions.md, issue 12): one row per session, the write grant and the
-- takeover on it. At most one open (STARTING or READY) session per job.
CREATE TABLE live_sessions (
  id uuid PRIMARY KEY,
  job_id uuid NOT NULL,
  state text NOT NULL CHECK (state IN ('STARTING', 'READY', 'REVOKED', 'ENDED', 'ERROR')),
  reason text,
  worker_host text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  ready_at timestamptz,
  ended_at timestamptz,
  expires_at timestamptz NOT NULL,
  last_heartbeat_at timestamptz,
  write_holder text,
  write_granted_at timestamptz,
  write_expires_at timestamptz,
  takeover_actor text,
  takeover_started_at timestamptz,
  takeover_expires_at timestamptz,
  shell_open boolean NOT NULL DEFAULT false,
  recording text
);

CREATE UNIQUE INDEX live_sessions_one_open ON live_sessions (job_id) WHERE state IN ('STARTING', 'READY');
CREATE INDEX live_sessions_job ON live_sessions (job_id, created_at DESC);
CREATE INDEX live_sessions_open_host ON live_sessions (worker_host) WHERE state IN ('STARTING', 'READY');
