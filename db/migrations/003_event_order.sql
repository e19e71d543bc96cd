-- Per-job event order assigned under a per-job lock at insert time (db/events.ts), so the order readers
-- follow is the order events were committed in: a reader that follows `job_seq > cursor` never skips an
-- event that committed late. Existing events keep their relative order.
ALTER TABLE job_events ADD COLUMN job_seq bigint;
UPDATE job_events e SET job_seq = o.n
  FROM (SELECT id, row_number() OVER (PARTITION BY job_id ORDER BY id) AS n FROM job_events) o
  WHERE e.id = o.id;
ALTER TABLE job_events ALTER COLUMN job_seq SET NOT NULL;
CREATE UNIQUE INDEX job_events_job_seq ON job_events (job_id, job_seq);
DROP INDEX job_events_job_id_id;
