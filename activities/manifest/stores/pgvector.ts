import type { ManifestV0 } from '../../../contracts/manifest.ts';
import type { Sql } from '../../../db/client.ts';
import type { SearchHit, VectorPoint, VectorStore } from '../interfaces.ts';

/**
 * The pgvector store: one table per collection, `mm_vec_<indexName>`, with an HNSW index for the manifest's
 * distance. Rows are scoped to the manifest that wrote them (several manifests may share a collection).
 * The same SQL runs on PostgreSQL with pgvector and on the embedded PGlite (lib/vector-db.ts).
 */
export interface PgvectorOptions {
  sql: Sql;
  indexName: string;
  manifestName: string;
  distance: DistanceMetric;
  /** Rows per INSERT statement. */
  batchSize?: number;
  /** Called by close(): releases the client when the store holds the last reference. */
  release?: () => Promise<void>;
}

type DistanceMetric = ManifestV0['vectorStore']['distance'];
type Filter = { dataSourceId?: string; sourceDocId?: string };

const opclass: Record<DistanceMetric, string> = { cosine: 'vector_cosine_ops', l2: 'vector_l2_ops' };
const operator: Record<DistanceMetric, string> = { cosine: '<=>', l2: '<->' };

/** A query on a collection never created (undefined_table): say so instead of PostgreSQL's words. */
function missingCollection(err: unknown, indexName: string): unknown {
  if ((err as { code?: string }).code !== '42P01') return err;
  return new Error(`collection ${indexName} does not exist yet: run the manifest to create it`);
}

export function pgvectorStore(o: PgvectorOptions): VectorStore {
  const { sql } = o;
  const table = `mm_vec_${o.indexName}`;
  const batchSize = o.batchSize ?? 500;
  const where = (f: Filter = {}) =>
    sql`manifest_name = ${o.manifestName}
      ${f.dataSourceId !== undefined ? sql`AND data_source_id = ${f.dataSourceId}` : sql``}
      ${f.sourceDocId !== undefined ? sql`AND source_doc_id = ${f.sourceDocId}` : sql``}`;

  return {
    async ensureCollection({ dimensions, allowCreate }) {
      const [col] = await sql<{ type: string | null }[]>`
        SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute
        WHERE attrelid = to_regclass(${table}) AND attname = 'embedding' AND NOT attisdropped`;
      if (col) {
        const existing = Number(/^vector\((\d+)\)$/.exec(col.type ?? '')?.[1]);
        if (existing !== dimensions) {
          throw new Error(
            `collection ${o.indexName} holds vectors of ${existing} dimensions, the embedder gives ${dimensions}: set embeddings.dimensions to ${existing} or use another vectorStore.indexName`,
          );
        }
        return;
      }
      if (!allowCreate) {
        throw new Error(
          `collection ${o.indexName} does not exist and vectorStore.allowCreateCollection is false: create it or set vectorStore.allowCreateCollection: true`,
        );
      }
      await sql.begin(async (tx) => {
        await tx.unsafe(`CREATE TABLE IF NOT EXISTS ${table} (
          id text PRIMARY KEY,
          manifest_name text NOT NULL,
          data_source_id text NOT NULL,
          source_doc_id text NOT NULL,
          doc_hash text NOT NULL,
          chunk_index integer NOT NULL,
          text text NOT NULL,
          metadata jsonb NOT NULL DEFAULT '{}',
          embedding vector(${dimensions}) NOT NULL
        )`);
        await tx.unsafe(
          `CREATE INDEX IF NOT EXISTS ${table}_docs ON ${table} (manifest_name, data_source_id, source_doc_id)`,
        );
        await tx.unsafe(
          `CREATE INDEX IF NOT EXISTS ${table}_${o.distance}_hnsw ON ${table} USING hnsw (embedding ${opclass[o.distance]})`,
        );
      });
    },

    async upsert(points: VectorPoint[]) {
      for (let i = 0; i < points.length; i += batchSize) {
        const batch = points.slice(i, i + batchSize);
        // Arrays unnested in one statement: one round trip per batch whatever its size.
        await sql`
          INSERT INTO ${sql(table)} (id, manifest_name, data_source_id, source_doc_id, doc_hash, chunk_index, text, metadata, embedding)
          SELECT id, mn, ds, sd, dh, ci, tx, md::jsonb, em::vector FROM unnest(
            ${batch.map((p) => p.id)}::text[], ${batch.map((p) => p.manifestName)}::text[],
            ${batch.map((p) => p.dataSourceId)}::text[], ${batch.map((p) => p.sourceDocId)}::text[],
            ${batch.map((p) => p.docHash)}::text[], ${batch.map((p) => p.chunkIndex)}::int[],
            ${batch.map((p) => p.text)}::text[], ${batch.map((p) => JSON.stringify(p.metadata))}::text[],
            ${batch.map((p) => `[${p.vector.join(',')}]`)}::text[]
          ) AS u(id, mn, ds, sd, dh, ci, tx, md, em)
          ON CONFLICT (id) DO UPDATE SET
            manifest_name = EXCLUDED.manifest_name, data_source_id = EXCLUDED.data_source_id,
            source_doc_id = EXCLUDED.source_doc_id, doc_hash = EXCLUDED.doc_hash,
            chunk_index = EXCLUDED.chunk_index, text = EXCLUDED.text, metadata = EXCLUDED.metadata,
            embedding = EXCLUDED.embedding`;
      }
    },

    async deleteDocuments(dataSourceId, sourceDocIds) {
      if (!sourceDocIds.length) return 0;
      const r = await sql`
        DELETE FROM ${sql(table)} WHERE manifest_name = ${o.manifestName}
          AND data_source_id = ${dataSourceId} AND source_doc_id = ANY(${sourceDocIds}::text[])`;
      return r.count;
    },

    async search(vector, topK, filter) {
      const v = `[${vector.join(',')}]`;
      const op = sql.unsafe(operator[o.distance]);
      // A literal LIMIT: with a bound one, a prepared statement's generic plan guesses 10% of the table and
      // prefers a full scan and sort over the HNSW index.
      const limit = sql.unsafe(String(Math.max(1, Math.trunc(topK))));
      const rows = await sql<
        {
          id: string;
          d: number;
          data_source_id: string;
          source_doc_id: string;
          chunk_index: number;
          text: string;
          metadata: SearchHit['metadata'];
        }[]
      >`
        SELECT id, data_source_id, source_doc_id, chunk_index, text, metadata, embedding ${op} ${v}::vector AS d
        FROM ${sql(table)} WHERE ${where(filter)}
        ORDER BY embedding ${op} ${v}::vector LIMIT ${limit}`.catch((err) => {
        throw missingCollection(err, o.indexName);
      });
      return rows.map((r) => ({
        id: r.id,
        // Higher is closer for both metrics: cosine similarity, or the negated euclidean distance.
        score: o.distance === 'cosine' ? 1 - Number(r.d) : -Number(r.d),
        dataSourceId: r.data_source_id,
        sourceDocId: r.source_doc_id,
        chunkIndex: r.chunk_index,
        text: r.text,
        metadata: r.metadata,
      }));
    },

    async count(filter) {
      const [r] = await sql<
        { n: number }[]
      >`SELECT count(*)::int AS n FROM ${sql(table)} WHERE ${where(filter)}`;
      return r.n;
    },

    async close() {
      await o.release?.();
    },
  };
}
