-- A small index of jobs for the dashboard's lists (api/jobs/list.ts): Temporal's SQL visibility (the dev
-- server's) orders open runs before newer finished ones and has no substring match, so lists take their
-- order (newest first) and the search on title and repository from here, and every other filter and the
-- status from Temporal. Derived data: rows are added at submission and synced from visibility.
CREATE TABLE job_index (
  job_id uuid PRIMARY KEY,
  title text NOT NULL,
  repository text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX job_index_newest ON job_index (created_at DESC, job_id DESC);
