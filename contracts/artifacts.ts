import { z } from 'zod';

/** An artifact as the API lists it (shared/spec/01-task-contract.md#artifacts). */
export const artifactViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  size: z.number(),
  contentType: z.string(),
  sha256: z.string(),
  createdAt: z.string(),
  downloadUrl: z.string(),
});
export type ArtifactView = z.infer<typeof artifactViewSchema>;
