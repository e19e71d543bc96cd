import type { ApiContext, ApiDeps } from '../context.ts';
import { notFound } from '../errors.ts';
import { findArtifact, listArtifacts } from './ingest.ts';

/** An owner's artifacts (a job's, an orchestrator run's), each with the URL that downloads it. */
export async function artifactItems(
  deps: Pick<ApiDeps, 'sql'>,
  ownerId: string,
  downloadUrl: (artifactId: string) => string,
) {
  const rows = await listArtifacts(deps.sql, ownerId);
  return rows.map((r) => ({ ...r, downloadUrl: downloadUrl(r.id) }));
}

/** Streams one artifact as an attachment with its own Content-Type; never sniffed, cacheable by its hash. */
export async function sendArtifact(
  ctx: ApiContext,
  deps: Pick<ApiDeps, 'sql' | 'artifacts'>,
  ownerId: string,
  artifactId: string,
): Promise<void> {
  const row = await findArtifact(deps.sql, ownerId, artifactId);
  if (!row) throw notFound('artifact');
  ctx.set('Content-Type', row.contentType);
  ctx.set('Content-Length', String(row.size));
  ctx.set('Content-Disposition', `attachment; filename="${row.name.split('/').pop() ?? row.name}"`);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('ETag', `"${row.sha256}"`);
  ctx.body = await deps.artifacts.get(row.storageKey);
}
