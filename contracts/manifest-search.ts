import { z } from 'zod';

/**
 * `POST /api/manifests/{name}/search` (issue 15 point 8): the query is embedded with the manifest's
 * embedding settings and matched in its vector store; the answer is `{ items: SearchHit[] }`, best first.
 */
export const manifestSearchRequestSchema = z.strictObject({
  query: z.string().trim().min(1).max(8000),
  topK: z.number().int().min(1).max(100).default(10),
  filter: z
    .strictObject({
      dataSourceId: z.string().min(1).max(100).optional(),
      sourceDocId: z.string().min(1).max(2000).optional(),
    })
    .optional(),
});
export type ManifestSearchRequest = z.infer<typeof manifestSearchRequestSchema>;
