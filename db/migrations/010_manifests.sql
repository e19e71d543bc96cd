-- Manifest registry and ingestion checkpoints (shared/spec/07-manifests.md).
CREATE TABLE manifests (
  name text PRIMARY KEY,
  content text NOT NULL,
  hash text NOT NULL,
  version text NOT NULL,
  -- Bumped by every PUT that changes the content.
  revision integer NOT NULL DEFAULT 1,
  updated_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  last_run_job_id uuid,
  last_run_status text,
  last_run_started_at timestamptz,
  last_run_finished_at timestamptz
);

-- Per (manifest, data source): what the last SUCCESSFUL run saw (saved on success only), so the next run is
-- incremental. Keyed by name, not by registry row: inline manifests have checkpoints too.
CREATE TABLE manifest_checkpoints (
  manifest_name text NOT NULL,
  data_source_id text NOT NULL,
  cursor text,
  -- sourceDocId → content hash
  docs jsonb NOT NULL DEFAULT '{}'::jsonb,
  last_run_job_id uuid,
  last_success_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (manifest_name, data_source_id)
);
