import { z } from 'zod';
import {
  orchestratorPriorities,
  orchestratorStatuses,
  orchestratorSteps,
  planSchema,
  stepOutcomes,
} from '../../contracts/orchestrator-run.ts';
import { publishModes } from '../../contracts/task.ts';

/**
 * The orchestrator routes' response shapes, for the OpenAPI document (the types are OrchestratorRunView and
 * ServiceSummary in contracts/orchestrator.ts; the plan is the contract's own schema).
 */
export const orchestratorRunViewSchema = z
  .object({
    runId: z.uuid(),
    status: z.enum(orchestratorStatuses),
    targetService: z.string(),
    instruction: z.string(),
    priority: z.enum(orchestratorPriorities),
    plan: z.nullable(planSchema),
    steps: z.array(
      z.object({
        name: z.enum(orchestratorSteps),
        outcome: z.enum(stepOutcomes),
        startedAt: z.string().nullable(),
        finishedAt: z.string().nullable(),
        detail: z.string().nullable(),
      }),
    ),
    rollbackReason: z.string().nullable(),
    error: z.string().nullable(),
    host: z.string().nullable(),
    waitingReason: z.string().nullable(),
    cancelRequestedAt: z.string().nullable(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    retryOf: z.uuid().nullable(),
    publishMode: z.enum(publishModes),
    branch: z.string().nullable(),
    prUrl: z.string().nullable(),
    publishError: z.string().nullable(),
    submittedBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    artifacts: z.array(
      z.object({ name: z.string(), size: z.number(), contentType: z.string(), createdAt: z.string() }),
    ),
  })
  .meta({ id: 'OrchestratorRun' });

export const orchestratorRunListSchema = z.object({
  items: z.array(orchestratorRunViewSchema),
  nextCursor: z.string().nullable(),
});

export const serviceSummarySchema = z
  .object({
    name: z.string(),
    runner: z.enum(['process', 'compose']),
    protected: z.boolean(),
    requiresToken: z.boolean(),
    healthUrl: z.string(),
  })
  .meta({ id: 'ServiceSummary' });
