-- Which worker pool last ran jobs of an affinity key, so later jobs with that key prefer it.
CREATE TABLE pool_affinity (
  affinity_key text PRIMARY KEY,
  task_queue text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
