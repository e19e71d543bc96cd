import { randomUUID } from 'node:crypto';
import {
  allowedActions,
  type ControlAction,
  type ControlSignal,
  type RunState,
} from '../../contracts/controls.ts';
import type { JobView } from '../../contracts/job.ts';
import { audit } from '../audit.ts';
import type { UserIdentity } from '../auth/identity.ts';
import type { ApiDeps } from '../context.ts';
import { conflict } from '../errors.ts';
import { loadJob } from './detail.ts';

/**
 * Send one operator control to a run as the `control` signal (the workflow records it as an event with the
 * actor and ignores repeats of a request id). An action that makes no sense in the run's state is a 409;
 * every accepted action is audited. Returns the job as it is once the workflow has taken the signal.
 */
export async function sendControl(
  deps: Pick<ApiDeps, 'client' | 'config' | 'sql'>,
  actor: UserIdentity,
  jobId: string,
  request: { action: ControlAction; reason?: string; mode?: 'soft' | 'hard'; message?: string },
): Promise<{ requestId: string; view: JobView }> {
  const { view } = await loadJob(deps, jobId);
  const state: Pick<RunState, 'status' | 'paused'> = { status: view.status, paused: view.paused };
  const refusal = allowedActions(state)[request.action];
  if (refusal) throw conflict(`cannot ${request.action}: ${refusal}`);
  const signal: ControlSignal = { requestId: randomUUID(), actor: actor.name, ...request };
  await deps.client.workflow.getHandle(view.temporal.workflowId).signal('control', signal);
  await audit(deps.sql, actor, `job.${request.action}`, jobId, {
    requestId: signal.requestId,
    ...(request.mode ? { mode: request.mode } : {}),
    ...(request.reason ? { reason: request.reason } : {}),
  });
  return { requestId: signal.requestId, view: (await loadJob(deps, jobId)).view };
}
