import { z } from 'zod/mini';
import { isTerminal, type JobStatus } from './status.ts';

/**
 * Operator controls (shared/spec/04-controls.md). One Temporal signal, `control`, carries every action so
 * engineers can send the same JSON from the Temporal Web UI or CLI.
 */
export const controlActions = ['cancel', 'pause', 'resume', 'takeover', 'message'] as const;
export type ControlAction = (typeof controlActions)[number];

// zod/mini: the workflow validates every signal with this schema, and the mini build keeps the workflow
// bundle small (the classic build would add about a megabyte to it).
export const controlSignalSchema = z.object({
  requestId: z.string().check(z.minLength(1), z.maxLength(200)),
  actor: z.string().check(z.minLength(1), z.maxLength(200)),
  action: z.enum(controlActions),
  reason: z.optional(z.string().check(z.maxLength(2000))),
  mode: z.optional(z.enum(['soft', 'hard'])),
  message: z.optional(z.string().check(z.maxLength(10_000))),
});
export type ControlSignal = z.infer<typeof controlSignalSchema>;

/** What the `state` query returns: the run's live state. */
export interface RunState {
  status: JobStatus;
  stage: string | null;
  stepIndex: number | null;
  stepCount: number | null;
  stepId: string | null;
  stepTitle: string | null;
  attempt: number;
  maxAttempts: number;
  host: string | null;
  paused: boolean;
  pauseMode: 'soft' | 'hard' | null;
  /**
   * A soft pause (or takeover) was accepted while a step runs: the agent keeps working until the step ends
   * and the run stops at the next safe point. The status stays `running` until then.
   */
  pausing: boolean;
  cancelRequestedAt: string | null;
  waitingReason: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  takeoverRequested: boolean;
  pendingMessages: number;
  branch: string | null;
  prUrl: string | null;
  error: string | null;
}

/** What the rules look at: the run's live state (the `state` query, or a job view's copy of it). */
export interface ControlState {
  status: JobStatus;
  paused: boolean;
  pauseMode: 'soft' | 'hard' | null;
  /** A soft pause waits for the running step to end (RunState.pausing). */
  pausing?: boolean;
  cancelRequested: boolean;
  /** False while the run has never left the queue (takeover needs a running agent). */
  started: boolean;
}

/**
 * The one copy of the control rules: why a request is ignored in a state, or null when it applies. The
 * workflow's handler decides with it; the API refuses early only what it knows for sure (a finished run);
 * the dashboard disables buttons with it.
 */
export function controlRefusal(
  state: ControlState,
  request: Pick<ControlSignal, 'action' | 'mode' | 'message'>,
): string | null {
  if (isTerminal(state.status)) return `the run is ${state.status}`;
  switch (request.action) {
    case 'cancel':
      return state.cancelRequested ? 'a cancel was already requested' : null;
    case 'pause':
      if (!state.paused || state.pauseMode !== (request.mode ?? 'soft')) return null;
      return state.pausing ? 'a pause is already pending (after this step)' : 'the run is already paused';
    case 'resume':
      return state.paused ? null : 'the run is not paused';
    case 'takeover':
      return state.started ? null : 'the run has not started';
    case 'message':
      return request.message?.trim() ? null : 'the message is empty';
  }
}

/** Which actions make sense in a state (soft pause, a non-empty message): the dashboard's buttons. */
export function allowedActions(state: ControlState): Record<ControlAction, string | null> {
  return Object.fromEntries(
    controlActions.map((action) => [action, controlRefusal(state, { action, message: 'x' })]),
  ) as Record<ControlAction, string | null>;
}

/** What the workflow decided about one request (the `controlVerdict` query, by request id). */
export interface ControlVerdict {
  requestId: string;
  action: string;
  accepted: boolean;
  /** Why it was ignored (null when accepted). */
  reason: string | null;
}
