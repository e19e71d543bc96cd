import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { OrchestratorRunView } from '../../contracts/orchestrator.ts';
import {
  isOrchestratorTerminal,
  type OrchestratorControl,
  type OrchestratorVerdict,
  orchestratorWorkflowId,
} from '../../contracts/orchestrator-run.ts';
import { getRun } from '../../db/orchestrator-runs.ts';
import {
  orchestratorControlSignal,
  orchestratorVerdictQuery,
} from '../../workflows/orchestrator/messages.ts';
import { audit } from '../audit.ts';
import type { UserIdentity } from '../auth/identity.ts';
import type { ApiDeps } from '../context.ts';
import { conflict, forbidden, notFound, validationFailed } from '../errors.ts';
import { askVerdict } from '../verdict.ts';
import { approvalTokenMatches } from './approval-token.ts';
import { loadRunView } from './view.ts';

export interface OrchestratorControlOutcome {
  view: OrchestratorRunView;
  /** The workflow's verdict; null when it had not answered (the request still takes effect when it does). */
  verdict: OrchestratorVerdict | null;
}

/** The repeats the spec makes idempotent: answered like the first request. */
const idempotent = new Set(['a cancel was already requested']);

/**
 * Approve or cancel an orchestrator run the way task controls work (api/jobs/control.ts): the `control`
 * signal, then the `controlVerdict` query, which Temporal answers after the signal; refused → 409 with the
 * workflow's reason. The API refuses early only what it knows for sure: a finished run, and an approval
 * whose token is missing or wrong for a service that has one (403; the token never reaches the run).
 */
export async function sendOrchestratorControl(
  deps: Pick<ApiDeps, 'client' | 'config' | 'sql' | 'services'>,
  actor: UserIdentity,
  runId: string,
  request: { action: OrchestratorControl['action']; token?: string; reason?: string },
): Promise<OrchestratorControlOutcome> {
  const row = await getRun(deps.sql, runId);
  if (!row) throw notFound('orchestrator run');
  const finished = () =>
    conflict(`cannot ${request.action}: the run is ${row.state.status.replace('_', ' ')}`);
  if (isOrchestratorTerminal(row.state.status)) throw finished();
  const signal: OrchestratorControl = { requestId: randomUUID(), actor: actor.name, action: request.action };
  if (request.reason) signal.reason = request.reason;
  if (request.action === 'approve') {
    const profile = deps.services.get(row.state.targetService);
    if (profile?.approvalToken) {
      const verified =
        request.token !== undefined && (await approvalTokenMatches(deps.config, profile, request.token));
      if (!verified) {
        await audit(deps.sql, actor, 'orchestrator.approve', runId, {
          refused: 'approval token missing or wrong',
        });
        throw forbidden(
          request.token === undefined
            ? 'this service needs its approval token'
            : 'the approval token is wrong',
        );
      }
      Object.assign(signal, { tokenRequired: true, tokenVerified: true });
    } else if (request.token !== undefined) {
      throw validationFailed([{ path: 'token', message: 'this service takes no approval token' }]);
    }
  }
  const handle = deps.client.workflow.getHandle(orchestratorWorkflowId(runId));
  let verdict: OrchestratorVerdict | null;
  try {
    await handle.signal(orchestratorControlSignal, signal);
    verdict = await askVerdict(() => handle.query(orchestratorVerdictQuery, signal.requestId));
  } catch (err) {
    // Closed between the look and the signal.
    if (err instanceof WorkflowNotFoundError) throw finished();
    throw err;
  }
  await audit(deps.sql, actor, `orchestrator.${request.action}`, runId, {
    requestId: signal.requestId,
    ...(signal.tokenVerified ? { tokenVerified: true } : {}),
    ...(request.reason ? { reason: request.reason } : {}),
    ...(verdict && !verdict.accepted ? { ignored: verdict.reason } : {}),
  });
  if (verdict && !verdict.accepted && !idempotent.has(verdict.reason ?? ''))
    throw conflict(`cannot ${request.action}: ${verdict.reason}`);
  return { view: await loadRunView(deps, runId), verdict };
}
