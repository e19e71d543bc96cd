import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Every metric of the API process (the API and its control worker), defined once, in this process's own
 * registry. Labels are bounded: route templates (never raw URLs), statuses, runtimes, pools; never a job id.
 */
export const controlPlaneRegistry = new Registry();
const registers = [controlPlaneRegistry];

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Runs last seconds (the demo) to hours (a real agent). */
const runBuckets = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800];

export const httpRequests = new Counter({
  name: 'moonmind_http_requests_total',
  help: 'HTTP requests answered, by method, route template and status',
  labelNames: ['method', 'route', 'status'] as const,
  registers,
});
export const httpRequestDuration = new Histogram({
  name: 'moonmind_http_request_duration_seconds',
  help: 'HTTP request latency (an SSE stream: its lifetime), by method, route template and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: latencyBuckets,
  registers,
});

export const runsStarted = new Counter({
  name: 'moonmind_runs_started_total',
  help: "Runs whose first attempt started on a worker, by runtime and the attempt's pool",
  labelNames: ['runtime', 'pool'] as const,
  registers,
});
export const runsFinished = new Counter({
  name: 'moonmind_runs_finished_total',
  help: "Runs that ended, by status, runtime and the last attempt's pool (none: it never left the queue)",
  labelNames: ['status', 'runtime', 'pool'] as const,
  registers,
});
export const runDuration = new Histogram({
  name: 'moonmind_run_duration_seconds',
  help: 'Submission to end of a run, by status and runtime',
  labelNames: ['status', 'runtime'] as const,
  buckets: runBuckets,
  registers,
});
export const runQueueWait = new Histogram({
  name: 'moonmind_run_queue_wait_seconds',
  help: 'Submission to the start of its first attempt, by runtime and pool',
  labelNames: ['runtime', 'pool'] as const,
  buckets: runBuckets,
  registers,
});
let countQueued: (() => Promise<number>) | null = null;
/** How the queued gauge counts at scrape time (the API's Temporal client); unset, it reports nothing new. */
export const countQueuedRunsWith = (count: () => Promise<number>) => {
  countQueued = count;
};
export const runsQueued = new Gauge({
  name: 'moonmind_runs_queued',
  help: 'Open runs waiting queued (Temporal visibility, counted at scrape)',
  registers,
  async collect() {
    if (!countQueued) return;
    // A visibility hiccup keeps the last count rather than failing the whole scrape.
    const count = await countQueued().catch(() => null);
    if (count !== null) this.set(count);
  },
});

export const sseClients = new Gauge({
  name: 'moonmind_sse_clients',
  help: 'Open event streams (SSE) to dashboards and CLIs',
  registers,
});
export const eventsAppended = new Counter({
  name: 'moonmind_events_appended_total',
  help: 'Job events stored, by producer kind (workflow: the run itself; worker: its attempts)',
  labelNames: ['producer'] as const,
  registers,
});
export const eventAppendLag = new Histogram({
  name: 'moonmind_event_append_lag_seconds',
  help: "From an event's creation (its producer's clock) to its storage, by producer kind",
  labelNames: ['producer'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers,
});
export const artifactBytes = new Counter({
  name: 'moonmind_artifact_bytes_total',
  help: 'Artifact bytes stored (worker uploads)',
  registers,
});
