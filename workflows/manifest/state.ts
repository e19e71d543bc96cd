import { CancellationScope } from '@temporalio/workflow';
import { type ControlVerdict, controlSignalSchema } from '../../contracts/controls.ts';
import type { ManifestRunInput, ManifestStage } from '../../contracts/manifest.ts';
import type { ManifestStageCounts } from '../../contracts/manifest-activities.ts';
import { EventLog } from '../events.ts';
import { RunTracker } from '../state.ts';

/**
 * One `manifestRun` execution's input, live state (the task run's RunState, so job views read it the same
 * way), event log and controls. Only `cancel` applies to a manifest run; other actions are refused with why.
 */
export class ManifestRun {
  readonly tracker = new RunTracker(1);
  readonly events: EventLog;
  readonly work = new CancellationScope();
  cancelledBy: string | null = null;
  private readonly verdicts = new Map<string, ControlVerdict>();

  constructor(readonly input: ManifestRunInput) {
    this.events = new EventLog(input.jobId);
  }

  get state() {
    return this.tracker.state;
  }

  /** The `control` signal (validated: people send it from the Temporal CLI too). */
  control(raw: unknown): void {
    const parsed = controlSignalSchema.safeParse(raw);
    if (!parsed.success) return;
    const { requestId, action, actor } = parsed.data;
    if (this.verdicts.has(requestId)) return;
    const reason = this.tracker.finished
      ? `the run is ${this.state.status}`
      : action !== 'cancel'
        ? `a manifest run takes only cancel, not ${action}`
        : this.cancelledBy
          ? 'a cancel was already requested'
          : null;
    this.verdicts.set(requestId, { requestId, action, accepted: reason === null, reason });
    if (reason) {
      this.events.emit('control.ignored', `${action} ignored: ${reason}`, { action, reason }, 'warn');
      return;
    }
    this.cancel(actor);
  }

  cancelledFromTemporal(): void {
    if (!this.cancelledBy && !this.tracker.finished) this.cancel('temporal');
  }

  verdict(requestId: string): ControlVerdict | null {
    return this.verdicts.get(requestId) ?? null;
  }

  private cancel(actor: string): void {
    this.cancelledBy = actor;
    this.tracker.set({ cancelRequestedAt: new Date().toISOString() });
    this.events.emit('control.cancel_requested', `cancel requested by ${actor}`, { actor });
    this.work.cancel();
  }

  /** Runs one stage with its `moonmind.manifest.<stage>.started/finished` events (counts and timings). */
  async stage<R extends { counts: ManifestStageCounts }>(
    stage: ManifestStage,
    durations: Partial<Record<ManifestStage, number>>,
    fn: () => Promise<R>,
  ): Promise<R> {
    this.tracker.set({ stage });
    this.events.emit(`moonmind.manifest.${stage}.started`, `${stage} started`, { stage });
    const started = Date.now();
    const result = await fn();
    const durationMs = Date.now() - started;
    durations[stage] = durationMs;
    const summary = Object.entries(result.counts)
      .map(([k, v]) => `${k} ${v ?? 'n/a'}`)
      .join(', ');
    this.events.emit(`moonmind.manifest.${stage}.finished`, `${stage} finished: ${summary}`, {
      stage,
      durationMs,
      ...result.counts,
    });
    return result;
  }
}
