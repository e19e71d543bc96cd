import { z } from 'zod';

/** Request bodies of the control routes (the API validates them; the dashboard's controls send them). */
export const cancelBodySchema = z.object({ reason: z.string().max(2000).optional() });
export const controlBodySchema = z.object({
  action: z.enum(['pause', 'resume', 'takeover']),
  mode: z.enum(['soft', 'hard']).optional(),
});
export const operatorMessageBodySchema = z.object({
  message: z.string().trim().min(1, 'is required').max(10_000),
});
