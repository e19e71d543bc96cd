-- Task proposals (spec 05): follow-up work suggested by runs and people, triaged by humans, promoted into
-- jobs. Stored apart from jobs: never claimable, never among active work. `version` is the optimistic lock:
-- every change is one UPDATE ... WHERE id AND version AND status, so of two concurrent decisions one wins.
CREATE TABLE proposals (
  id uuid PRIMARY KEY,
  status text NOT NULL DEFAULT 'open'
    CHECK (status IN ('open', 'promoted', 'dismissed', 'accepted', 'rejected')),
  title text NOT NULL,
  summary text NOT NULL DEFAULT '',
  category text NOT NULL DEFAULT 'general',
  tags text[] NOT NULL DEFAULT '{}',
  repository text NOT NULL,
  proposed_by_worker_id text,
  proposed_by_user_id uuid REFERENCES users(id),
  origin jsonb NOT NULL,
  task_create_request jsonb NOT NULL,
  promoted_job_id uuid UNIQUE,
  promoted_at timestamptz,
  promoted_by_user_id uuid REFERENCES users(id),
  decided_by_user_id uuid REFERENCES users(id),
  decision_note text,
  priority int NOT NULL DEFAULT 0,
  snoozed_until timestamptz,
  dedup_key text NOT NULL,
  version int NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- At most one open proposal per dedup key: creating a duplicate answers with the open one.
CREATE UNIQUE INDEX proposals_open_dedup ON proposals (dedup_key) WHERE status = 'open';
-- The inbox order (and its cursor), per status and across all.
CREATE INDEX proposals_inbox ON proposals (status, priority DESC, created_at DESC, id DESC);
CREATE INDEX proposals_order ON proposals (priority DESC, created_at DESC, id DESC);
CREATE INDEX proposals_repository ON proposals (repository, created_at DESC);
CREATE INDEX proposals_tags ON proposals USING gin (tags);
CREATE INDEX proposals_origin ON proposals ((origin ->> 'source'), (origin ->> 'id'));

-- Every change a proposal went through, for its detail page.
CREATE TABLE proposal_history (
  id bigserial PRIMARY KEY,
  proposal_id uuid NOT NULL REFERENCES proposals(id),
  action text NOT NULL,
  actor text NOT NULL,
  note text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX proposal_history_proposal ON proposal_history (proposal_id, id);
