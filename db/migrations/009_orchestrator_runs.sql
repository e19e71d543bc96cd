-- Orchestrator runs (shared/spec/08-orchestrator.md). Temporal runs them; this row is their projection for
-- lists, filters and retries: updated by the workflow (through the control worker) at every step. Events and
-- artifacts share job_events/artifacts, keyed by the run id.
CREATE TABLE orchestrator_runs (
  id uuid PRIMARY KEY,
  instruction text NOT NULL,
  target_service text NOT NULL,
  priority text NOT NULL CHECK (priority IN ('normal', 'high')),
  status text NOT NULL CHECK (status IN ('pending', 'running', 'awaiting_approval', 'succeeded', 'failed', 'rolled_back')),
  submitted_by text NOT NULL,
  retry_of uuid REFERENCES orchestrator_runs(id),
  -- The OrchestratorRunState the workflow last reported (plan, steps, reasons, times).
  state jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- The list: newest first, by status; (created_at, id) is the cursor.
CREATE INDEX orchestrator_runs_created ON orchestrator_runs (created_at DESC, id DESC);
CREATE INDEX orchestrator_runs_status_created ON orchestrator_runs (status, created_at DESC, id DESC);
