import { EmbeddingError, embedderFor } from '../../activities/manifest/embeddings/index.ts';
import type { SearchHit } from '../../activities/manifest/interfaces.ts';
import { searchManifest } from '../../activities/manifest/search.ts';
import { storeFor } from '../../activities/manifest/stores/index.ts';
import { SecretReferenceError, secretResolver } from '../../activities/secrets/references.ts';
import { parseManifest } from '../../contracts/manifest-parse.ts';
import type { ManifestSearchRequest } from '../../contracts/manifest-search.ts';
import { getManifest } from '../../db/manifests.ts';
import type { ApiDeps } from '../context.ts';
import { HttpError, notFound } from '../errors.ts';

/**
 * Search a registry manifest's index: the query is embedded with the manifest's embedding settings (its key
 * resolved on the API at the last moment, like the orchestrator's approval token: never logged or stored)
 * and matched in its vector store.
 */
export async function searchRegistryManifest(
  deps: Pick<ApiDeps, 'config' | 'sql'>,
  name: string,
  req: ManifestSearchRequest,
): Promise<{ items: SearchHit[] }> {
  const record = await getManifest(deps.sql, name);
  if (!record) throw notFound('manifest');
  const parsed = parseManifest(record.content);
  if (!parsed.ok) throw new HttpError('conflict', 'the stored manifest no longer validates; PUT it again');
  const { config } = deps;
  const resolver = secretResolver(process.env, {
    addr: config.MOONMIND_VAULT_ADDR,
    token: config.MOONMIND_VAULT_TOKEN,
    tokenFile: config.MOONMIND_VAULT_TOKEN_FILE,
    namespace: config.MOONMIND_VAULT_NAMESPACE,
  });
  const secret = (ref: string) => resolver.resolve(ref);
  try {
    const embedder = embedderFor(parsed.manifest.embeddings, { secret, purpose: 'query' });
    const store = await storeFor(parsed.manifest, {
      vectorDatabaseUrl: config.MOONMIND_VECTOR_DATABASE_URL,
      dataDir: config.MOONMIND_DATA_DIR,
      secret,
    });
    try {
      return await searchManifest(req, { embedder, store });
    } finally {
      await store.close();
    }
  } catch (err) {
    // The reference is the manifest's; its message names the reference, never a value.
    if (err instanceof SecretReferenceError)
      throw new HttpError(
        'unavailable',
        `the manifest's secrets cannot be resolved on the API: ${err.message}`,
      );
    // The embedding server's trouble is not the API's (its messages never carry the key or the texts).
    if (err instanceof EmbeddingError) throw new HttpError('unavailable', err.message);
    // pgvector says so of an index no run has created yet (activities/manifest/stores/pgvector.ts).
    if (err instanceof Error && /^collection \S+ does not exist yet/.test(err.message))
      throw new HttpError('conflict', err.message);
    throw err;
  }
}
