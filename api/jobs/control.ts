import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { ControlAction, ControlSignal, ControlVerdict } from '../../contracts/controls.ts';
import type { JobView } from '../../contracts/job.ts';
import { isTerminal } from '../../contracts/status.ts';
import { controlSignal, controlVerdictQuery } from '../../workflows/messages.ts';
import { audit } from '../audit.ts';
import type { UserIdentity } from '../auth/identity.ts';
import type { ApiDeps } from '../context.ts';
import { conflict } from '../errors.ts';
import { askVerdict } from '../verdict.ts';
import { loadJob } from './detail.ts';

export interface ControlOutcome {
  requestId: string;
  view: JobView;
  /** The workflow's verdict; null when it had not answered (the request still takes effect when it does). */
  verdict: ControlVerdict | null;
}

/**
 * Send one operator control to a run as the `control` signal and answer with the workflow's own verdict: the
 * `controlVerdict` query sent right after the signal is answered after it (Temporal delivers a query after the
 * signals sent before it). Accepted: the job as it is now. Ignored: 409 with the workflow's reason, except a
 * repeated cancel, which the spec makes idempotent. The API refuses early only what it knows for sure: a run
 * that has finished. Every request is audited.
 */
export async function sendControl(
  deps: Pick<ApiDeps, 'client' | 'config' | 'sql'>,
  actor: UserIdentity,
  jobId: string,
  request: { action: ControlAction; reason?: string; mode?: 'soft' | 'hard'; message?: string },
): Promise<ControlOutcome> {
  const { view } = await loadJob(deps, jobId);
  const finished = () => conflict(`cannot ${request.action}: the run is ${view.status}`);
  if (isTerminal(view.status)) throw finished();
  const signal: ControlSignal = { requestId: randomUUID(), actor: actor.name, ...request };
  const handle = deps.client.workflow.getHandle(view.temporal.workflowId);
  let verdict: ControlVerdict | null;
  try {
    await handle.signal(controlSignal, signal);
    verdict = await askVerdict(() => handle.query(controlVerdictQuery, signal.requestId));
  } catch (err) {
    // Closed between the look and the signal.
    if (err instanceof WorkflowNotFoundError) throw finished();
    throw err;
  }
  await audit(deps.sql, actor, `job.${request.action}`, jobId, {
    requestId: signal.requestId,
    ...(request.mode ? { mode: request.mode } : {}),
    ...(request.reason ? { reason: request.reason } : {}),
    ...(verdict && !verdict.accepted ? { ignored: verdict.reason } : {}),
  });
  const repeatedCancel = request.action === 'cancel' && verdict?.reason === 'a cancel was already requested';
  if (verdict && !verdict.accepted && !repeatedCancel)
    throw conflict(`cannot ${request.action}: ${verdict.reason}`);
  return { requestId: signal.requestId, view: (await loadJob(deps, jobId)).view, verdict };
}
