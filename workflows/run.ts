import { CancellationScope, patched } from '@temporalio/workflow';
import type { PrepareResult, SteerStepInput, StepInput } from '../contracts/activities.ts';
import {
  type ControlSignal,
  type ControlVerdict,
  controlRefusal,
  controlSignalSchema,
  type RunState,
} from '../contracts/controls.ts';
import { priorityKeyFor, type TaskRunInput } from '../contracts/job.ts';
import { hostActivities } from './activities.ts';
import { EventLog } from './events.ts';
import type { HostLost } from './messages.ts';
import { RunTracker } from './state.ts';

type OperatorMessage = StepInput['operatorMessages'][number];

/** What a run that is still queued hands to its continuation (continue-as-new keeps long waits small). */
export interface QueuedCarry {
  attempt: number;
  seenRequestIds: string[];
  messages: OperatorMessage[];
  paused: boolean;
  pauseMode: 'soft' | 'hard' | null;
  failedPools: string[];
  startedAt: string | null;
  waitingReason: string | null;
  lastError: string | null;
}

/**
 * The workflow's argument: the job (contracts/job.ts) plus, on a continuation, the carried state.
 * `queuedHistoryLimit` (default 2,000 events) is how long a queued run's history may grow before it
 * continues as new; tests lower it.
 */
export type TaskRunArgs = TaskRunInput & { carried?: QueuedCarry; queuedHistoryLimit?: number };

/** Patch id: a `hostLost` with `handedBack` starts the same attempt again (see `lostHost`). */
export const GRACEFUL_HANDBACK = 'graceful-handback';

/** Patch id: steering requests to a running step go one after the other (see `steer`). */
export const SERIAL_STEERING = 'serial-steering';

/**
 * Patch id: a soft pause accepted while a step runs is `pausing` (status still running) until the run
 * reaches its next safe point. Runs recorded before showed `awaiting_action` at once.
 */
export const PAUSE_STATES = 'pause-states';

const controlEventType: Record<ControlSignal['action'], string> = {
  cancel: 'control.cancel_requested',
  pause: 'control.paused',
  resume: 'control.resumed',
  takeover: 'control.takeover',
  message: 'control.operator_message',
};

/**
 * Everything one `taskRun` execution holds: its input, live state, event log and the operator controls.
 * `work` is the scope all run work happens in; a cancel (signal or Temporal) cancels it.
 */
export class Run {
  readonly tracker: RunTracker;
  readonly events: EventLog;
  readonly work = new CancellationScope();
  readonly priorityKey: number;
  /** Set by the `poolsChanged` signal; routing clears it before each check. */
  poolsChanged = false;
  /** The host of the current attempt, until it is released: cleanup after a cancel needs it. */
  prepared: PrepareResult | null = null;
  /** The pool queue that prepared the current attempt. */
  pool: string | null = null;
  /** Pool queues whose hosts failed earlier attempts: routing tries other pools first. */
  readonly failedPools: string[] = [];
  /** Why the latest attempt failed (the dead-letter error names it). */
  lastError: string | null = null;
  /** Whether `finishExecute` already ran for the current attempt (cleanup must not run it twice). */
  executeFinished = false;
  /** True when Temporal itself (not a control signal) cancelled the workflow. */
  cancelledByTemporal = false;
  /** Temporal delivered a cancellation request (also the run's own, asked for when a cancel signal ended it). */
  temporalCancelSeen = false;
  /** The step running now (its attempt's host and workspace): hard pause, resume and messages reach it. */
  runningStep: { attempt: number; hostQueue: string; workspace: string } | null = null;
  /** Set by `hostLost` for the current attempt's host: why it is gone (the attempt then fails at once). */
  hostLost: string | null = null;
  /** With `hostLost`: the host handed the attempt back on a graceful stop (it runs again, not counted). */
  handedBack = false;
  private readonly seen = new Set<string>();
  /** Recent verdicts by request id, for the `controlVerdict` query the API asks right after signalling. */
  private readonly verdicts = new Map<string, ControlVerdict>();
  private messages: OperatorMessage[] = [];
  /** The last steering request sent to the running step's host (the next one waits for it). */
  private steering: Promise<unknown> = Promise.resolve();

  constructor(readonly input: TaskRunArgs) {
    this.tracker = new RunTracker(input.job.maxAttempts);
    this.events = new EventLog(input.jobId);
    this.priorityKey = priorityKeyFor(input.job.priority);
    const carried = input.carried;
    if (carried) {
      for (const id of carried.seenRequestIds) this.seen.add(id);
      this.messages = [...carried.messages];
      this.failedPools.push(...carried.failedPools);
      this.lastError = carried.lastError;
      this.tracker.set({
        attempt: carried.attempt,
        paused: carried.paused,
        pauseMode: carried.pauseMode,
        startedAt: carried.startedAt,
        waitingReason: carried.waitingReason,
        pendingMessages: this.messages.length,
      });
    }
  }

  /** The argument of this run's continuation while it waits for a pool. */
  continuation(): TaskRunArgs {
    const s = this.state;
    const { carried: _, ...input } = this.input;
    return {
      ...input,
      carried: {
        attempt: s.attempt,
        seenRequestIds: [...this.seen],
        messages: [...this.messages],
        paused: s.paused,
        pauseMode: s.pauseMode,
        failedPools: [...this.failedPools],
        startedAt: s.startedAt,
        waitingReason: s.waitingReason,
        lastError: this.lastError,
      },
    };
  }

  get state(): RunState {
    return this.tracker.state;
  }

  get cancelRequested(): boolean {
    return this.state.cancelRequestedAt !== null;
  }

  /**
   * The `control` signal: validated (it may come from the Temporal CLI or Web UI as any JSON), each request id
   * acts once, every request is recorded with its actor and its verdict kept for the `controlVerdict` query.
   */
  control(raw: unknown): void {
    const parsed = controlSignalSchema.safeParse(raw);
    if (!parsed.success) {
      const requestId =
        typeof (raw as ControlSignal)?.requestId === 'string' ? (raw as ControlSignal).requestId : null;
      const reason = `malformed control request: ${parsed.error.issues
        .map((i) => `${i.path.join('.') || 'request'} ${i.message}`)
        .join('; ')}`.slice(0, 500);
      if (requestId)
        this.remember({ requestId, action: String((raw as ControlSignal).action), accepted: false, reason });
      this.events.emit('control.rejected', reason, { requestId, ignored: reason }, 'warn');
      return;
    }
    const signal = parsed.data;
    if (this.seen.has(signal.requestId) || this.tracker.finished) return;
    this.seen.add(signal.requestId);
    const ignored = this.apply(signal);
    this.remember({
      requestId: signal.requestId,
      action: signal.action,
      accepted: !ignored,
      reason: ignored,
    });
    const payload: Record<string, unknown> = { requestId: signal.requestId, actor: signal.actor };
    if (signal.mode) payload.mode = signal.mode;
    if (signal.reason) payload.reason = signal.reason;
    if (signal.action === 'message') payload.message = signal.message ?? '';
    if (ignored) payload.ignored = ignored;
    else if (this.state.pausing && (signal.action === 'pause' || signal.action === 'takeover'))
      payload.pausing = true;
    const text = ignored
      ? `${signal.action} by ${signal.actor} ignored: ${ignored}`
      : controlMessage(signal, this.state.pausing);
    this.events.emit(controlEventType[signal.action], text, payload, ignored ? 'warn' : 'info');
  }

  verdict(requestId: string): ControlVerdict | null {
    if (this.verdicts.has(requestId)) return this.verdicts.get(requestId)!;
    // Finished before it arrived: the run will take no request any more.
    if (this.tracker.finished && !this.seen.has(requestId))
      return { requestId, action: 'unknown', accepted: false, reason: `the run is ${this.state.status}` };
    return null;
  }

  private remember(verdict: ControlVerdict) {
    this.verdicts.set(verdict.requestId, verdict);
    if (this.verdicts.size > 200) this.verdicts.delete(this.verdicts.keys().next().value!);
  }

  /** The `hostLost` signal (validated: people may send it from the Temporal CLI too). */
  lostHost(raw: unknown): void {
    const lost = raw as Partial<HostLost> | null;
    if (typeof lost?.hostId !== 'string' || this.prepared?.hostId !== lost.hostId) return;
    if (typeof lost.attempt === 'number' && lost.attempt !== this.state.attempt) return;
    const why = typeof lost.reason === 'string' ? lost.reason.slice(0, 200) : 'gone';
    if (this.hostLost !== null) return;
    // Only hand-backs ask for the patch: histories without one replay as they ran.
    if (lost.handedBack === true && patched(GRACEFUL_HANDBACK)) {
      this.handedBack = true;
      this.hostLost = `handed back by ${lost.hostId}: ${why}`;
    } else this.hostLost = `worker ${lost.hostId} lost (${why})`;
  }

  /** Workflow cancellation from the Temporal Web UI or CLI: a cancel by actor `temporal`. */
  cancelledFromTemporal(): void {
    if (this.tracker.finished) return;
    this.cancelledByTemporal = true;
    if (this.cancelRequested) return;
    this.tracker.set({ cancelRequestedAt: new Date().toISOString() });
    this.events.emit('control.cancel_requested', 'cancel requested by temporal', { actor: 'temporal' });
  }

  /** Operator messages not yet handed to a step. */
  pendingMessages(): OperatorMessage[] {
    return [...this.messages];
  }

  markDelivered(delivered: OperatorMessage[]): void {
    const ids = new Set(delivered.map((m) => m.requestId));
    this.messages = this.messages.filter((m) => !ids.has(m.requestId));
    this.tracker.set({ pendingMessages: this.messages.length });
  }

  /** Applies a control that the rules (contracts/controls.ts) allow; returns why it was ignored, or null. */
  private apply(signal: ControlSignal): string | null {
    const s = this.state;
    const refusal = controlRefusal(
      {
        status: s.status,
        paused: s.paused,
        pauseMode: s.pauseMode,
        cancelRequested: this.cancelRequested,
        started: !this.tracker.queued,
      },
      signal,
    );
    if (refusal) return refusal;
    switch (signal.action) {
      case 'cancel':
        this.tracker.set({ cancelRequestedAt: new Date().toISOString() });
        this.work.cancel();
        break;
      case 'pause': {
        const mode = signal.mode ?? 'soft';
        this.tracker.set({ paused: true, pauseMode: mode, pausing: this.pausingFor(mode) });
        if (mode === 'hard') this.steer({ action: 'suspend' });
        break;
      }
      case 'resume':
        if (s.pauseMode === 'hard') this.steer({ action: 'resume' });
        this.tracker.set({ paused: false, pauseMode: null, pausing: false, takeoverRequested: false });
        break;
      case 'takeover': {
        const mode = signal.mode ?? s.pauseMode ?? 'soft';
        if (mode === 'hard' && s.pauseMode !== 'hard') this.steer({ action: 'suspend' });
        const pausing = s.paused && !s.pausing ? false : this.pausingFor(mode);
        this.tracker.set({ paused: true, pauseMode: mode, pausing, takeoverRequested: true });
        break;
      }
      case 'message': {
        const at = new Date().toISOString();
        const message = {
          requestId: signal.requestId,
          actor: signal.actor,
          message: signal.message!.trim(),
          at,
        };
        this.messages.push(message);
        this.tracker.set({ pendingMessages: this.messages.length });
        // Into the running step's inbox now; the next step's prompt still carries it.
        this.steer({ action: 'messages', messages: [message] });
        break;
      }
    }
    return null;
  }

  /** Whether a pause in this mode waits for the running step to end (a soft one while a step runs). */
  private pausingFor(mode: 'soft' | 'hard'): boolean {
    return mode === 'soft' && this.runningStep !== null && patched(PAUSE_STATES);
  }

  /** The run stopped at a safe point: a pending pause has taken effect. */
  pauseReached(): void {
    if (this.state.pausing) this.tracker.set({ pausing: false });
  }

  /**
   * Tell the host of the running step, at once (a quick activity on its queue, not awaited by the handler):
   * stop or continue its process group, or append messages to its inbox. Runs recorded before this existed
   * never send it (their steps looked at the run's state every few seconds).
   */
  private steer(request: Pick<SteerStepInput, 'action' | 'messages'>): void {
    const step = this.runningStep;
    if (!step || !patched('steer-running-step')) return;
    const send = () =>
      hostActivities(step.hostQueue, this.priorityKey, `${request.action} running step`, 'quick')
        .steerStep({ jobId: this.input.jobId, attempt: step.attempt, workspace: step.workspace, ...request })
        .catch(() => {
          // The step ended (or its host is gone) meanwhile: the next safe point and step see the run's state.
        });
    // One at a time, in the order asked: two activities scheduled together may start in either order on the
    // host, and a resume that overtakes its pause leaves the agent stopped. Earlier runs sent them at once.
    if (patched(SERIAL_STEERING)) this.steering = this.steering.then(send);
    else void send();
  }
}

function controlMessage(signal: ControlSignal, pausing: boolean): string {
  switch (signal.action) {
    case 'cancel':
      return `cancel requested by ${signal.actor}${signal.reason ? `: ${signal.reason}` : ''}`;
    case 'pause':
      return pausing
        ? `pause requested by ${signal.actor}: pausing after this step`
        : `paused (${signal.mode ?? 'soft'}) by ${signal.actor}`;
    case 'resume':
      return `resumed by ${signal.actor}`;
    case 'takeover':
      return `takeover requested by ${signal.actor}`;
    case 'message':
      return `message from ${signal.actor}`;
  }
}
