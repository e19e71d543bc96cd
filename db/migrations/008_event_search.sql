-- The run page reads a job's non-log events on their own (stages, steps, controls: a few dozen among up to
-- 100,000 log lines) and searches a whole log. A partial index holds just the non-log events; its predicate
-- is the one db/events.ts writes for `exclude=log`. Search is a substring match (ILIKE) within one job: a
-- GIN index on (the job id as text, message trigrams) finds a rare term without reading the job's other
-- lines (btree_gin gives GIN the text column). The id is indexed as text so that the search picks its plan
-- itself (db/events.ts): `job_id::text = …` can only use this index, `job_id = …` only (job_id, job_seq).
-- Left to the statistics, a job whose rows are newer than them is estimated at a few hundred rows and
-- PostgreSQL reads all of its lines (measured: 200 ms for a rare term in 100,000 lines, 5 ms here). Both
-- extensions are trusted: a database owner may create them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX job_events_not_log ON job_events (job_id, job_seq)
  WHERE type <> 'log' AND coalesce(payload->>'kind', '') <> 'log';
CREATE INDEX job_events_message_trgm ON job_events USING gin ((job_id::text), message gin_trgm_ops);
