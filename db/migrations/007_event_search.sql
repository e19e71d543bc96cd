-- The run page reads a job's non-log events on their own (stages, steps, controls: a few dozen among up to
-- 100,000 log lines) and searches a whole log. A partial index holds just the non-log events; its predicate
-- is the one db/events.ts writes for `exclude=log`. Search is a substring match (ILIKE) within one job: a
-- GIN index on (job_id, message trigrams) answers it without reading the job's other lines (btree_gin gives
-- GIN the uuid column). Both extensions are trusted: a database owner may create them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX job_events_not_log ON job_events (job_id, job_seq)
  WHERE type <> 'log' AND coalesce(payload->>'kind', '') <> 'log';
CREATE INDEX job_events_message_trgm ON job_events USING gin (job_id, message gin_trgm_ops);
