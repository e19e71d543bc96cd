import { Gauge, Histogram, Registry } from 'prom-client';

/**
 * Every metric of a capability worker process, defined once, in this process's own registry (the Temporal
 * SDK's runtime metrics are merged into the same /metrics answer: lib/metrics/serve.ts). `host` and `pool`
 * are bounded (a process is one host); never a job id.
 */
export const workerRegistry = new Registry();
const registers = [workerRegistry];

interface WatchedHost {
  host: string;
  pool: string;
  slots: { capacity: number; held: string[] };
  agents: () => number;
}
let watched: WatchedHost | null = null;
/** The host whose slots and agent processes the gauges read at scrape time (one per worker process). */
export const watchWorkerHost = (host: WatchedHost) => {
  watched = host;
};

export const stageDuration = new Histogram({
  name: 'moonmind_stage_duration_seconds',
  help: 'Duration of each stage activity on this worker (prepare, execute_step, finish_execute, publish, release_host), by outcome',
  labelNames: ['stage', 'pool', 'outcome'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400],
  registers,
});
export const workerSlots = new Gauge({
  name: 'moonmind_worker_slots',
  help: 'Run slots of this worker host, by state (used, free)',
  labelNames: ['host', 'pool', 'state'] as const,
  registers,
  collect() {
    this.reset();
    if (!watched) return;
    const used = watched.slots.held.length;
    const labels = { host: watched.host, pool: watched.pool };
    this.set({ ...labels, state: 'used' }, used);
    this.set({ ...labels, state: 'free' }, Math.max(0, watched.slots.capacity - used));
  },
});
export const agentProcesses = new Gauge({
  name: 'moonmind_agent_processes',
  help: 'Agent CLI processes (running steps) on this worker host',
  labelNames: ['host', 'pool'] as const,
  registers,
  collect() {
    this.reset();
    if (watched) this.set({ host: watched.host, pool: watched.pool }, watched.agents());
  },
});

/** A stage activity timed into moonmind_stage_duration_seconds (ok or error), whatever it returns. */
export const timedStage =
  <A extends unknown[], R>(stage: string, pool: string, activity: (...args: A) => Promise<R>) =>
  async (...args: A): Promise<R> => {
    const end = stageDuration.startTimer({ stage, pool });
    try {
      const result = await activity(...args);
      end({ outcome: 'ok' });
      return result;
    } catch (err) {
      end({ outcome: 'error' });
      throw err;
    }
  };
