import type { z } from 'zod';
import type { taskPreviewSchema } from '../../contracts/proposals.ts';
import type { NormalizedJob } from '../../contracts/task.ts';

/** What the job a promotion would start looks like: its repository, runtime, publish mode and steps. */
export function taskPreview(job: NormalizedJob): z.infer<typeof taskPreviewSchema> {
  const { payload } = job;
  const steps = payload.task.steps.length
    ? payload.task.steps
    : // A job without steps runs its instructions as one step (the workflow's implicit step-1).
      [{ id: 'step-1', title: null, instructions: payload.task.instructions }];
  return {
    repository: payload.repository,
    runtime: payload.targetRuntime,
    publishMode: payload.task.publish.mode,
    steps: steps.map((s) => ({ id: s.id, title: s.title, instructions: s.instructions })),
  };
}
