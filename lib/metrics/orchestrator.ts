import { Counter, Gauge, Histogram } from 'prom-client';
import { controlPlaneRegistry } from './control-plane.ts';

/**
 * Orchestrator run metrics (spec 08 "Metrics"), counted on the control worker where each run reports its
 * state, and served with the API's other metrics. Labels are bounded: statuses, step names, outcomes.
 */
const registers = [controlPlaneRegistry];
const runBuckets = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200];

export const orchestratorRunsFinished = new Counter({
  name: 'moonmind_orchestrator_runs_finished_total',
  help: 'Orchestrator runs that ended, by terminal status (succeeded, failed, rolled_back)',
  labelNames: ['status'] as const,
  registers,
});
export const orchestratorRunDuration = new Histogram({
  name: 'moonmind_orchestrator_run_duration_seconds',
  help: 'Start to end of an orchestrator run, by terminal status',
  labelNames: ['status'] as const,
  buckets: runBuckets,
  registers,
});
export const orchestratorStepsStarted = new Counter({
  name: 'moonmind_orchestrator_steps_started_total',
  help: 'Orchestrator run steps started, by step (analyze, patch, build, restart, verify, rollback)',
  labelNames: ['step'] as const,
  registers,
});
export const orchestratorStepOutcomes = new Counter({
  name: 'moonmind_orchestrator_step_outcomes_total',
  help: 'Orchestrator run steps ended, by step and outcome (succeeded, failed, skipped, cancelled)',
  labelNames: ['step', 'outcome'] as const,
  registers,
});

let countRuns: (() => Promise<Record<string, number>>) | null = null;
/** How the by-status gauge counts at scrape time (the orchestrator_runs table). */
export const countOrchestratorRunsWith = (count: () => Promise<Record<string, number>>) => {
  countRuns = count;
};
export const orchestratorRuns = new Gauge({
  name: 'moonmind_orchestrator_runs',
  help: 'Orchestrator runs by status (pending and awaiting_approval are the queued ones; counted at scrape)',
  labelNames: ['status'] as const,
  registers,
  async collect() {
    if (!countRuns) return;
    const counts = await countRuns().catch(() => null);
    if (!counts) return;
    this.reset();
    for (const [status, n] of Object.entries(counts)) this.set({ status }, n);
  },
});
