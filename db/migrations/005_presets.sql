-- Task presets (spec 06): the step-template catalog, per-user favorites and recents, and team membership
-- (enough for the catalog's scope checks; admins manage it).

CREATE TABLE team_members (
  team text NOT NULL,
  user_id uuid NOT NULL REFERENCES users(id),
  added_by uuid REFERENCES users(id),
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (team, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

-- One row per released version; a released version is never updated (a change is a new version), only
-- soft-deleted. owner_key names the owner within the scope: '' (global), the team, or the user id.
CREATE TABLE step_templates (
  id uuid PRIMARY KEY,
  scope text NOT NULL CHECK (scope IN ('global', 'team', 'personal')),
  owner_key text NOT NULL,
  slug text NOT NULL,
  version text NOT NULL,
  -- semver parts, for "latest version" ordering
  major int NOT NULL,
  minor int NOT NULL,
  patch int NOT NULL,
  team text,
  owner_id uuid REFERENCES users(id),
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  inputs jsonb NOT NULL DEFAULT '[]'::jsonb,
  steps jsonb NOT NULL,
  tags text[] NOT NULL DEFAULT '{}',
  required_capabilities text[] NOT NULL DEFAULT '{}',
  is_active boolean NOT NULL DEFAULT true,
  created_by uuid REFERENCES users(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  UNIQUE (scope, owner_key, slug, version)
);
CREATE INDEX step_templates_latest ON step_templates (scope, owner_key, slug, major DESC, minor DESC, patch DESC)
  WHERE deleted_at IS NULL;
CREATE INDEX step_templates_tags ON step_templates USING gin (tags);

CREATE TABLE step_template_favorites (
  user_id uuid NOT NULL REFERENCES users(id),
  scope text NOT NULL,
  owner_key text NOT NULL,
  slug text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, scope, owner_key, slug)
);

-- Recorded on expansion: the drawer's "recently used".
CREATE TABLE step_template_recents (
  user_id uuid NOT NULL REFERENCES users(id),
  scope text NOT NULL,
  owner_key text NOT NULL,
  slug text NOT NULL,
  used_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, scope, owner_key, slug)
);
