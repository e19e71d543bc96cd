-- Each worker host's last ping and the attempts it said it runs: the API's host monitor (api/host-monitor.ts)
-- fails over the runs of a host that went silent, and a pool whose every host is lost is not routed to.
CREATE TABLE worker_hosts (
  host_id text PRIMARY KEY,
  task_queue text NOT NULL,
  host_queue text NOT NULL,
  seen_at timestamptz NOT NULL DEFAULT now(),
  attempts jsonb NOT NULL DEFAULT '[]'::jsonb,
  lost_at timestamptz
);
CREATE INDEX worker_hosts_task_queue ON worker_hosts (task_queue);
