import { z } from 'zod';
import { artifactViewSchema } from '../contracts/artifacts.ts';
import { controlActions } from '../contracts/controls.ts';
import { jobEventSchema as contractJobEventSchema } from '../contracts/events.ts';
import { jobStatuses } from '../contracts/status.ts';
import { jobTypes } from '../contracts/task.ts';
import { roles } from './auth/identity.ts';

/** Response shapes, for the OpenAPI document (the TypeScript types stay in contracts/). */
export const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      requestId: z.string(),
      issues: z
        .array(
          z.object({
            path: z.string(),
            message: z.string(),
            /** Manifest YAML issues: where in the document. */
            line: z.number().int().optional(),
            column: z.number().int().optional(),
          }),
        )
        .optional(),
    }),
  })
  .meta({ id: 'Error' });

export const userSchema = z
  .object({ id: z.string(), name: z.string(), role: z.enum(roles) })
  .meta({ id: 'User' });

export const jobViewSchema = z
  .object({
    id: z.uuid(),
    type: z.enum(jobTypes),
    status: z.enum(jobStatuses),
    title: z.string(),
    stage: z.string().nullable(),
    step: z
      .object({
        index: z.number(),
        count: z.number(),
        id: z.string().nullable(),
        title: z.string().nullable(),
      })
      .nullable(),
    attempt: z.number(),
    maxAttempts: z.number(),
    worker: z.string().nullable(),
    priority: z.number(),
    affinityKey: z.string().nullable(),
    repository: z.string(),
    runtime: z.string(),
    skill: z.string(),
    publishMode: z.string(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    cancelRequestedAt: z.string().nullable(),
    waitingReason: z.string().nullable(),
    paused: z.boolean(),
    branch: z.string().nullable(),
    prUrl: z.string().nullable(),
    error: z.string().nullable(),
    submittedBy: z.object({ id: z.string(), name: z.string() }),
    payload: z
      .record(z.string(), z.unknown())
      .describe('the normalized task payload (contracts/task.ts TaskPayload)'),
    temporal: z.object({ workflowId: z.string(), runId: z.string().nullable(), url: z.string() }),
    origin: z
      .union([
        z.object({ proposalId: z.string() }),
        z.object({ rerunOf: z.string() }),
        z.object({ scheduleId: z.string(), fireId: z.string() }),
      ])
      .optional()
      .describe('where the job came from: the proposal it was promoted from, or the job it re-runs'),
    live: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('RunState from the `state` query while running'),
  })
  .meta({ id: 'JobView' });

export const jobEventSchema = contractJobEventSchema.meta({ id: 'JobEvent' });

export const artifactSchema = artifactViewSchema.meta({ id: 'Artifact' });

export const skillSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    requiredCapabilities: z.array(z.string()),
  })
  .meta({ id: 'Skill' });

export const requestIdSchema = z.object({ requestId: z.string(), action: z.enum(controlActions).optional() });
export const okSchema = z.object({ ok: z.boolean() });
