import { z } from 'zod';
import type { JobStatus } from './status.ts';

/**
 * Operator controls (shared/spec/04-controls.md). One Temporal signal, `control`, carries every action so
 * engineers can send the same JSON from the Temporal Web UI or CLI.
 */
export const controlActions = ['cancel', 'pause', 'resume', 'takeover', 'message'] as const;
export type ControlAction = (typeof controlActions)[number];

export const controlSignalSchema = z.object({
  requestId: z.string().min(1).max(200),
  actor: z.string().min(1).max(200),
  action: z.enum(controlActions),
  reason: z.string().max(2000).optional(),
  mode: z.enum(['soft', 'hard']).optional(),
  message: z.string().max(10_000).optional(),
});
export type ControlSignal = z.infer<typeof controlSignalSchema>;

/** Request bodies of the control routes. */
export const cancelBodySchema = z.object({ reason: z.string().max(2000).optional() });
export const controlBodySchema = z.object({
  action: z.enum(['pause', 'resume', 'takeover']),
  mode: z.enum(['soft', 'hard']).optional(),
});
export const operatorMessageBodySchema = z.object({
  message: z.string().trim().min(1, 'is required').max(10_000),
});

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

/** Which actions make sense in a state; the API answers 409 otherwise, the dashboard disables the button. */
export function allowedActions(
  state: Pick<RunState, 'status' | 'paused'>,
): Record<ControlAction, string | null> {
  const finished = ['succeeded', 'failed', 'cancelled', 'dead_letter'].includes(state.status);
  const no = finished ? `the run is ${state.status}` : null;
  return {
    cancel: no,
    pause: no ?? (state.paused ? 'the run is already paused' : null),
    resume: no ?? (state.paused ? null : 'the run is not paused'),
    takeover: no ?? (state.status === 'queued' ? 'the run has not started' : null),
    message: no,
  };
}
