import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Test double of Qdrant's REST API (the calls the Qdrant store makes), in memory with exact search:
 * `GET|PUT /collections/<name>`, `PUT /collections/<name>/points`, `POST …/points/{search,count,delete}`,
 * filters of `must` conditions with `match: { value }` or `match: { any }`, the `api-key` header.
 * Qdrant is not installed here; this speaks its documented wire format.
 */
type Point = { id: string; vector: number[]; payload: Record<string, unknown> };
type Collection = { size: number; distance: 'Cosine' | 'Euclid'; points: Map<string, Point> };
type Condition = { key: string; match: { value?: unknown; any?: unknown[] } };

export interface QdrantDouble {
  url: string;
  collections: Map<string, Collection>;
  /** The api-key header of every request (to check it was sent, never to log it). */
  apiKeys: (string | null)[];
  close(): Promise<void>;
}

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0) / (norm(a) * norm(b));
const euclid = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0));

function matches(p: Point, filter?: { must?: Condition[] }) {
  return (filter?.must ?? []).every(({ key, match }) =>
    match.any ? match.any.includes(p.payload[key]) : p.payload[key] === match.value,
  );
}

export async function startQdrantDouble(apiKey?: string): Promise<QdrantDouble> {
  const collections = new Map<string, Collection>();
  const apiKeys: (string | null)[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {};
    const given = (req.headers['api-key'] as string | undefined) ?? null;
    apiKeys.push(given);
    const send = (status: number, result: unknown, error?: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(error ? { status: { error } } : { result, status: 'ok', time: 0 }));
    };
    if (apiKey && given !== apiKey) return send(401, null, 'Invalid api-key');
    const m = /^\/collections\/([^/]+)(\/points(?:\/(search|count|delete))?)?$/.exec(
      new URL(req.url ?? '/', 'http://q').pathname,
    );
    if (!m) return send(404, null, 'Not found');
    const [, name, points, op] = m;
    const col = collections.get(name);
    if (!points && req.method === 'PUT') {
      if (col) return send(409, null, `Collection \`${name}\` already exists!`);
      collections.set(name, { size: body.vectors.size, distance: body.vectors.distance, points: new Map() });
      return send(200, true);
    }
    if (!col) return send(404, null, `Collection \`${name}\` doesn't exist!`);
    if (!points)
      return send(200, {
        status: 'green',
        config: { params: { vectors: { size: col.size, distance: col.distance } } },
      });
    if (!op && req.method === 'PUT') {
      for (const p of body.points as Point[]) {
        if (p.vector.length !== col.size) {
          return send(
            400,
            null,
            `Wrong input: Vector dimension error: expected dim: ${col.size}, got ${p.vector.length}`,
          );
        }
        col.points.set(p.id, p);
      }
      return send(200, { operation_id: 1, status: 'completed' });
    }
    const selected = [...col.points.values()].filter((p) => matches(p, body.filter));
    if (op === 'count') return send(200, { count: selected.length });
    if (op === 'delete') {
      for (const p of selected) col.points.delete(p.id);
      return send(200, { operation_id: 2, status: 'completed' });
    }
    if (op === 'search') {
      const scored = selected.map((p) => ({
        id: p.id,
        version: 0,
        score: col.distance === 'Cosine' ? cosine(p.vector, body.vector) : euclid(p.vector, body.vector),
        payload: body.with_payload ? p.payload : undefined,
      }));
      // Qdrant sorts Cosine by similarity (descending) and Euclid by distance (ascending).
      scored.sort((a, b) => (col.distance === 'Cosine' ? b.score - a.score : a.score - b.score));
      return send(200, scored.slice(0, body.limit));
    }
    send(404, null, 'Not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    collections,
    apiKeys,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
