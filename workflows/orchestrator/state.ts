import {
  CancellationScope,
  condition,
  log,
  setCurrentDetails,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { OrchestratorRunInput } from '../../contracts/orchestrator.ts';
import {
  ORCHESTRATOR_JOB_TYPE,
  type OrchestratorControl,
  type OrchestratorRunState,
  type OrchestratorStatus,
  type OrchestratorStep,
  type OrchestratorVerdict,
  orchestratorControlSchema,
  orchestratorPriorityValue,
  orchestratorRefusal,
  orchestratorStatusLabels,
  type StepOutcome,
  type StepRecord,
} from '../../contracts/orchestrator-run.ts';
import { searchAttributes } from '../../contracts/search-attributes.ts';
import { initialState } from '../../db/orchestrator-runs.ts';
import { EventLog } from '../events.ts';
import { orchestratorControl } from './activities.ts';

/**
 * One `orchestratorRun` execution's live state: its status and steps, the operator controls (one `control`
 * signal, decided with orchestratorRefusal), its events and its reports to PostgreSQL. Every change goes
 * through `set`, which keeps the search attribute, the Web UI's details and the row in step.
 */
export class OrchestratorRunTracker {
  readonly state: OrchestratorRunState;
  readonly events: EventLog;
  /** All of the run's work; a cancel (signal or Temporal) cancels it. */
  readonly work = new CancellationScope();
  /** Who cancelled, once someone did. */
  cancelledBy: string | null = null;
  private readonly seen = new Set<string>();
  private readonly verdicts = new Map<string, OrchestratorVerdict>();
  private reported = 0;
  private changes = 0;
  private closing = false;
  private readonly reporting: Promise<void>;

  constructor(readonly input: OrchestratorRunInput) {
    this.state = initialState(input);
    // Started without the product's search attributes (from the Temporal CLI, say): set them, so lists by
    // job type, status and priority find the run.
    if (!workflowInfo().typedSearchAttributes.get(searchAttributes.jobType))
      upsertSearchAttributes([
        { key: searchAttributes.jobType, value: ORCHESTRATOR_JOB_TYPE },
        { key: searchAttributes.status, value: this.state.status },
        { key: searchAttributes.priority, value: orchestratorPriorityValue(input.priority) },
      ]);
    this.events = new EventLog(input.runId);
    this.reporting = CancellationScope.nonCancellable(() => this.reportLoop());
    this.changed();
  }

  get finished(): boolean {
    return this.state.finishedAt !== null;
  }

  set(patch: Partial<OrchestratorRunState>): void {
    const before = this.state.status;
    Object.assign(this.state, patch);
    if (this.state.status !== before)
      upsertSearchAttributes([{ key: searchAttributes.status, value: this.state.status }]);
    this.changed();
  }

  enter(status: OrchestratorStatus, patch: Partial<OrchestratorRunState> = {}): void {
    const now = new Date().toISOString();
    const startedAt = status === 'running' ? (this.state.startedAt ?? now) : this.state.startedAt;
    this.set({ waitingReason: null, ...patch, status, startedAt });
  }

  /** A step starts (or starts again: rollback's verify). */
  stepStarted(name: OrchestratorStep): void {
    const record: StepRecord = {
      name,
      outcome: 'running',
      startedAt: new Date().toISOString(),
      finishedAt: null,
      detail: null,
    };
    this.set({ steps: [...this.state.steps.filter((s) => s.name !== name), record] });
    this.events.emit('orchestrator.step.started', `${name} started`, { step: name });
  }

  stepEnded(name: OrchestratorStep, outcome: StepOutcome, detail: string | null): void {
    const steps = this.state.steps.map((s) =>
      s.name === name ? { ...s, outcome, detail, finishedAt: new Date().toISOString() } : s,
    );
    this.set({ steps });
    const level = outcome === 'succeeded' ? 'info' : outcome === 'skipped' ? 'info' : 'error';
    this.events.emit(
      `orchestrator.step.${outcome}`,
      `${name} ${outcome}${detail ? `: ${detail}` : ''}`,
      { step: name, outcome, detail },
      level,
    );
  }

  /** Wait until the latest state is reported and every event so far stored (before a continue-as-new). */
  async flushed(): Promise<void> {
    await Promise.all([condition(() => this.reported === this.changes), this.events.flushed()]);
  }

  /** The run is over: the final state is reported and every event stored. */
  async finish(status: OrchestratorStatus, patch: Partial<OrchestratorRunState>): Promise<void> {
    const finishedAt = new Date().toISOString();
    this.enter(status, { ...patch, finishedAt });
    const why = this.state.error ?? this.state.rollbackReason;
    this.events.emit(
      'run.finished',
      `run ${status}${why ? `: ${why}` : ''}`,
      { status, error: this.state.error, rollbackReason: this.state.rollbackReason },
      status === 'succeeded' ? 'info' : 'error',
    );
    this.closing = true;
    await Promise.all([this.reporting, this.events.close()]);
  }

  /**
   * The `control` signal: validated (it may come from the Temporal CLI or Web UI as any JSON), each request
   * id acts once, and its verdict is kept for the `controlVerdict` query the API asks right after.
   */
  control(raw: unknown): void {
    const parsed = orchestratorControlSchema.safeParse(raw);
    if (!parsed.success) {
      const { requestId, action } = (raw ?? {}) as { requestId?: unknown; action?: unknown };
      const reason = `malformed control request: ${parsed.error.issues
        .map((i) => `${i.path.join('.') || 'request'} ${i.message}`)
        .join('; ')}`.slice(0, 500);
      if (typeof requestId === 'string')
        this.remember({
          requestId,
          action: action === 'approve' ? 'approve' : 'cancel',
          accepted: false,
          reason,
        });
      this.events.emit('control.rejected', reason, { requestId: requestId ?? null }, 'warn');
      return;
    }
    const request = parsed.data;
    if (this.seen.has(request.requestId)) return;
    this.seen.add(request.requestId);
    const refusal = orchestratorRefusal(this.state, request);
    this.remember({
      requestId: request.requestId,
      action: request.action,
      accepted: !refusal,
      reason: refusal,
    });
    const payload = {
      requestId: request.requestId,
      actor: request.actor,
      ...(refusal ? { ignored: refusal } : {}),
    };
    if (refusal) {
      this.events.emit(
        `control.${request.action}_ignored`,
        `${request.action} by ${request.actor} ignored: ${refusal}`,
        payload,
        'warn',
      );
      return;
    }
    if (request.action === 'cancel') this.cancel(request.actor, request.reason);
    else this.approve(request);
  }

  verdict(requestId: string): OrchestratorVerdict | null {
    return this.verdicts.get(requestId) ?? null;
  }

  /** Cancelled from the Temporal Web UI or CLI: a cancel by `temporal`. */
  cancelledFromTemporal(): void {
    if (this.finished || this.state.cancelRequestedAt) return;
    this.cancel('temporal');
  }

  private cancel(actor: string, reason?: string): void {
    this.cancelledBy = actor;
    this.set({ cancelRequestedAt: new Date().toISOString() });
    this.events.emit(
      'control.cancel_requested',
      `cancel requested by ${actor}${reason ? `: ${reason}` : ''}`,
      { actor, reason: reason ?? null },
      'warn',
    );
    this.work.cancel();
  }

  private approve(request: OrchestratorControl): void {
    const plan = this.state.plan;
    // Approving an approved run is idempotent: accepted, the first approver stays on the plan.
    if (!plan || plan.approval) return;
    const approval = {
      actor: request.actor,
      at: new Date().toISOString(),
      tokenVerified: !!request.tokenVerified,
    };
    this.set({ plan: { ...plan, approval } });
    this.events.emit('control.approved', `approved by ${request.actor}`, {
      requestId: request.requestId,
      actor: request.actor,
      tokenVerified: approval.tokenVerified,
    });
  }

  private remember(verdict: OrchestratorVerdict): void {
    this.verdicts.set(verdict.requestId, verdict);
    if (this.verdicts.size > 200) this.verdicts.delete(this.verdicts.keys().next().value!);
  }

  private changed(): void {
    this.changes += 1;
    setCurrentDetails(describe(this.state));
  }

  /** Sends the latest state whenever it changed (coalescing bursts); not cancellable, like the event log. */
  private async reportLoop(): Promise<void> {
    for (;;) {
      await condition(() => this.changes > this.reported || this.closing);
      if (this.changes === this.reported) return;
      const upTo = this.changes;
      try {
        await orchestratorControl.recordOrchestratorState(JSON.parse(JSON.stringify(this.state)));
      } catch (err) {
        // The row is a projection: the workflow's state (the `state` query) stays the truth.
        log.warn('orchestrator run state could not be recorded', { error: String(err) });
      }
      this.reported = upTo;
    }
  }
}

/** Short Markdown for the Temporal Web UI's "current details". */
function describe(s: OrchestratorRunState): string {
  const lines = [`**${orchestratorStatusLabels[s.status]}** · service \`${s.targetService}\``];
  const step = s.steps.at(-1);
  if (step) lines.push(`step ${step.name}: ${step.outcome}${step.detail ? ` (${step.detail})` : ''}`);
  if (s.host) lines.push(`host \`${s.host}\``);
  if (s.waitingReason) lines.push(`waiting: ${s.waitingReason}`);
  if (s.plan?.approval) lines.push(`approved by ${s.plan.approval.actor}`);
  if (s.rollbackReason) lines.push(`rolled back: ${s.rollbackReason}`);
  if (s.error) lines.push(`error: ${s.error}`);
  return lines.join('\n\n');
}
