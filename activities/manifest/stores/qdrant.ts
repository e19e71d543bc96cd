import { createHash } from 'node:crypto';
import type { ManifestV0 } from '../../../contracts/manifest.ts';
import type { SearchHit, VectorPoint, VectorStore } from '../interfaces.ts';

/**
 * The Qdrant store over its REST API: a collection per `indexName`, points keyed by a UUID derived from our
 * point id (Qdrant takes only integers and UUIDs), payload carrying the ids, text and metadata. Every call is
 * scoped to the manifest, like the pgvector store.
 */
export interface QdrantOptions {
  manifest: ManifestV0;
  url?: string;
  /** The resolved `vectorStore.connection.apiKey`, sent as the `api-key` header; never logged. */
  apiKey?: string;
  fetch?: typeof fetch;
}

type Filter = { dataSourceId?: string; sourceDocId?: string };
type Payload = {
  point_id: string;
  manifest_name: string;
  data_source_id: string;
  source_doc_id: string;
  doc_hash: string;
  chunk_index: number;
  text: string;
  metadata: SearchHit['metadata'];
};

const qdrantDistance = { cosine: 'Cosine', l2: 'Euclid' } as const;

/** A stable UUID for a point id (the same id always lands on the same Qdrant point). */
export function qdrantPointId(id: string): string {
  const h = createHash('sha256').update(id).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function qdrantStore(o: QdrantOptions): VectorStore {
  const vs = o.manifest.vectorStore;
  if (!o.url) throw new Error('vectorStore.connection.url is required for a qdrant vector store');
  const base = `${o.url.replace(/\/+$/, '')}/collections/${vs.indexName}`;
  const doFetch = o.fetch ?? fetch;
  const call = async <T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; result: T }> => {
    const res = await doFetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(o.apiKey ? { 'api-key': o.apiKey } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json().catch(() => ({}))) as { result?: T; status?: { error?: string } };
    if (!res.ok && res.status !== 404) {
      throw new Error(
        `qdrant ${method} ${vs.indexName}${path}: HTTP ${res.status} ${json.status?.error ?? ''}`.trim(),
      );
    }
    return { status: res.status, result: json.result as T };
  };
  const filter = (f: Filter = {}): { must: object[] } => ({
    must: [
      { key: 'manifest_name', match: { value: o.manifest.metadata.name } },
      ...(f.dataSourceId !== undefined ? [{ key: 'data_source_id', match: { value: f.dataSourceId } }] : []),
      ...(f.sourceDocId !== undefined ? [{ key: 'source_doc_id', match: { value: f.sourceDocId } }] : []),
    ],
  });
  const count = async (f: object) =>
    (await call<{ count: number }>('POST', '/points/count', { filter: f, exact: true })).result.count;

  return {
    async ensureCollection({ dimensions, allowCreate }) {
      const got = await call<{ config: { params: { vectors: { size: number } } } }>('GET', '');
      if (got.status === 200) {
        const existing = got.result.config.params.vectors.size;
        if (existing !== dimensions) {
          throw new Error(
            `collection ${vs.indexName} holds vectors of ${existing} dimensions, the embedder gives ${dimensions}: set embeddings.dimensions to ${existing} or use another vectorStore.indexName`,
          );
        }
        return;
      }
      if (!allowCreate) {
        throw new Error(
          `collection ${vs.indexName} does not exist and vectorStore.allowCreateCollection is false: create it or set vectorStore.allowCreateCollection: true`,
        );
      }
      await call('PUT', '', { vectors: { size: dimensions, distance: qdrantDistance[vs.distance] } });
    },

    async upsert(points: VectorPoint[]) {
      const batchSize = 256;
      for (let i = 0; i < points.length; i += batchSize) {
        await call('PUT', '/points?wait=true', {
          points: points.slice(i, i + batchSize).map((p) => ({
            id: qdrantPointId(p.id),
            vector: p.vector,
            payload: {
              point_id: p.id,
              manifest_name: p.manifestName,
              data_source_id: p.dataSourceId,
              source_doc_id: p.sourceDocId,
              doc_hash: p.docHash,
              chunk_index: p.chunkIndex,
              text: p.text,
              metadata: p.metadata,
            } satisfies Payload,
          })),
        });
      }
    },

    async deleteDocuments(dataSourceId, sourceDocIds) {
      if (!sourceDocIds.length) return 0;
      const f = filter({ dataSourceId });
      f.must.push({ key: 'source_doc_id', match: { any: sourceDocIds } });
      // Qdrant's delete does not say how many points went: count them first.
      const n = await count(f);
      await call('POST', '/points/delete?wait=true', { filter: f });
      return n;
    },

    async search(vector, topK, f) {
      const { result } = await call<{ score: number; payload: Payload }[]>('POST', '/points/search', {
        vector,
        limit: topK,
        filter: filter(f),
        with_payload: true,
      });
      return result.map(({ score, payload: p }) => ({
        id: p.point_id,
        // Qdrant gives the euclidean distance itself for Euclid; negate it so higher is closer, as in pgvector.
        score: vs.distance === 'l2' ? -score : score,
        dataSourceId: p.data_source_id,
        sourceDocId: p.source_doc_id,
        chunkIndex: p.chunk_index,
        text: p.text,
        metadata: p.metadata,
      }));
    },

    count: (f) => count(filter(f)),
    async close() {},
  };
}
